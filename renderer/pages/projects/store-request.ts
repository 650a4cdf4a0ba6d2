/** The database part of a request (create, attach, move, test): the password only when one was typed. */
export function storeRequest(v: { readonly address: string; readonly password: string }): {
  address: string;
  password?: string;
} {
  return { address: v.address, ...(v.password !== '' ? { password: v.password } : {}) };
}
