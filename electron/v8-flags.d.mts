/** V8 flags for the processes that run the engine and the throwaway sandbox (see v8-flags.mjs). */
export const ENGINE_V8_FLAGS: readonly string[];
