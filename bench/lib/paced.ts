import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import { request, type Reply } from './http.js';

// Scenario 5's probe: requests at a fixed rate, one every 1000/rate ms, each sent when it is due whether
// or not the earlier ones have been answered (an open loop). autocannon's `overallRate` is not that:
// each connection sends back to back until it has made its share of the second, then waits for the next
// second, so "50/s over 4 connections" is a burst of 4 concurrent chains at the start of every second,
// and a slow answer delays the requests queued behind it on its connection (coordinated omission).
// Here a slow answer delays no other request; the agent opens more sockets when answers overlap.

export interface PacedOutcome {
  ops: number;
  errors: number;
  seconds: number;
  /** ms from the moment each request was handed to the agent to the last byte of its answer. */
  latencies: number[];
  lastError?: string;
  /** How late this process sent a request at worst (its own event loop busy), in ms. */
  sendLagMax: number;
}

export async function pacedRequests(
  agent: http.Agent,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  options: { seconds: number; rate: number; accept: (reply: Reply) => boolean },
): Promise<PacedOutcome> {
  const interval = 1000 / options.rate;
  const total = Math.max(1, Math.round(options.seconds * options.rate));
  const latencies: number[] = [];
  const pending: Array<Promise<void>> = [];
  let errors = 0;
  let lastError: string | undefined;
  let sendLagMax = 0;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    sendLagMax = Math.max(sendLagMax, sent - due);
    pending.push(
      request(agent, url, init).then(
        (reply) => {
          if (options.accept(reply)) latencies.push(performance.now() - sent);
          else {
            errors++;
            lastError = `HTTP ${reply.status}`;
          }
        },
        (err: unknown) => {
          errors++;
          lastError = (err as Error).message;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { ops: latencies.length, errors, seconds: (performance.now() - started) / 1000, latencies, lastError, sendLagMax };
}
