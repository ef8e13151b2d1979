import { createServer } from 'node:net';

// Ports for the servers a drill, the bench or the soak starts: free on 127.0.0.1 and below 55535
// (docs/DESIGN "Scale-out": a Redis Cluster node also takes its port + 10000, and the kernel's own picks
// go up to 60999). Picked at random in 20000–55534 and tried by listening on them.

const taken = new Set<number>(); // never hand out the same port twice in one process

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freeLowPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 35535);
    if (taken.has(port) || !(await listenable(port))) continue;
    taken.add(port);
    return port;
  }
  throw new Error('no free port below 55535 after 200 tries');
}
