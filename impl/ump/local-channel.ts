// The implementation behind the message-level contract (spec/ump/contract.ts):
// both ends of one channel, driven from one thread, without waiting.
import type { UmpChannelContract, UmpConfigInput, UmpObservation, UmpRecvResult, UmpSide, UmpStatus } from '../../spec/ump/index.js';
import { umpConfig } from '../../spec/ump/index.js';
import type { UmpEndpoint, UmpEndpointOptions } from './endpoint.js';
import { createUmpChannel } from './endpoint.js';
import { observeUmpChannel } from './observe.js';

export class UmpLocalChannel implements UmpChannelContract {
  readonly a: UmpEndpoint;
  readonly b: UmpEndpoint;

  constructor(config: UmpConfigInput = {}, options: UmpEndpointOptions = {}) {
    const ch = createUmpChannel(umpConfig(config), { ...options, memory: 'sab' });
    this.a = ch.a;
    this.b = ch.b;
  }

  private end(side: UmpSide): UmpEndpoint {
    return side === 'A' ? this.a : this.b;
  }

  send(from: UmpSide, payload: Uint8Array): UmpStatus {
    return this.end(from).trySendBytes(payload);
  }

  recv(at: UmpSide): UmpRecvResult {
    return this.end(at).tryRecvBytes();
  }

  close(side: UmpSide): UmpStatus {
    this.end(side).close();
    return 'OK';
  }

  observe(): UmpObservation {
    return observeUmpChannel(this.a, this.b);
  }
}
