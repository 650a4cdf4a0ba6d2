// V8 flags for every process that runs the migration engine (`mm`, the browser host, the desktop
// app's main process: `npm start` gives them, the packaged app restarts itself with them, see
// engine-relaunch.ts) and for a rehearsal's throwaway sandbox.
//
// Why a larger young generation: a batch allocates short-lived objects for every step (the
// XML-RPC call and its answer, journal and log lines), so V8 collects the young generation many
// times a second, and each of those scavenges also pays for bookkeeping over the old generation,
// which holds the plan and the journal's state and grows with the batch. With V8's default
// (16 MB semi-spaces on 64-bit Node 20) that cost grew faster than the work: perf named the
// scavenges 5.3 % of the engine's samples at 3× and 8.4 % at 10×. With up to 64 MB (V8 grows
// the young generation as objects survive) they can run a quarter as often. Measured 2026-12-03
// (`npm run bench -- --scale 3 rehearsal`, same clone, quiet machine): 13.1 → 9.6 min; the
// engine's CPU while provisioning 592 → 430 s. Its cost: an inventory import's peak RSS grows
// (README, Performance: "The engine's young generation").
//
// They take effect only when the process starts: v8.setFlagsFromString is too late to size the
// heap. `mm`'s shebang and package.json's "mm" script carry the same flags (a test holds them
// equal to this list).
export const ENGINE_V8_FLAGS = ['--max-semi-space-size=64'];
