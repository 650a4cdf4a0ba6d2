/**
 * The sandbox's XML-RPC endpoint (the product's createRpcServer) in a process of its own, whose
 * event loop stalls for `stallMs` right after it answers a call that asks for it: as the sandbox
 * does when a call sets off a compaction or a long collection. Prints its port; answers each
 * call with its `n`; counts the calls it read on stderr.
 */
import { createRpcServer } from '../../electron/sandbox/rpc-server';

const server = createRpcServer((_method, params) => {
  const { n, stallMs } = params[0] as { n: number; stallMs?: number };
  process.stderr.write(`read ${n}\n`);
  // After the answer is written (the dispatcher's promise settles first), the loop blocks.
  if (stallMs) setImmediate(() => busy(stallMs));
  return Promise.resolve({ kind: 'value', value: { n } });
}, {});

function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`${address.port}\n`);
});
