import { z } from 'zod';
import { defineModule, methodsOnly } from '../../src/engine/module.js';
import { passwordMethod } from './method.js';
import './messages.js';

// Its messages are registered with the module list, not when it is wired: every page speaks both
// languages however the module is configured (test/unit/messages.test.ts).

/** The identity number and password: the first method, with the one-time password change after an office issuance. */
export const passwordModule = defineModule({
  id: 'password',
  configSchema: z.object({}),
  traits: [
    { method: 'password', label: 'method.password', stage: 'first', amr: ['pwd'], acr: 'low', proves: ['password'], notMe: { closes: 'password_login' } },
  ],
  migrations: [],
  async wire(context) {
    const { accounts, hasher, audit } = context.services;
    const methods = context.methods;
    return methodsOnly([
      passwordMethod({
        accounts,
        hasher,
        audit,
        limiter: context.guessLimiter,
        // The same key as the smart-card methods': one hash of a typed identity number in failed sign-in records.
        subjectKey: context.key('subject-hash'),
        otherMethods: () => methods().filter((m) => m.factor === 'first').length > 1,
      }),
    ]);
  },
});
