import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionLike } from '../../engine/flow-store.js';

// Ends a login with oidc-provider's result without reading the interaction a second time (issue 27).
// provider.interactionFinished looks the interaction up again by its cookie, although this request loaded
// it (provider.interactionDetails) a moment before: one read of the interaction per sign-in spent on
// nothing. What it does with that second read is done here on the first: set the result, save with the
// time the interaction has left, answer 303 to its returnTo.
//
// Why this gives nothing away: the cookie, the uid and, for a login that continues a session, the
// session's principal were checked by interactionDetails at the start of this request; the result replaces
// whatever was stored (no merge with an earlier submission), so a concurrent write of the same interaction
// would have been overwritten by the re-read as well. The second read also checks a session again, so
// an interaction that continues one (a step-up) keeps oidc-provider's own path, as does one whose time is
// up (oidc-provider answers that as it always did).

/** The parts of oidc-provider's Interaction model this needs beyond the engine's view of it. */
interface SavableInteraction extends InteractionLike {
  exp?: number;
  returnTo?: string;
}

export async function finishInteraction(provider: Provider, ctx: Context, loaded: InteractionLike, result: Record<string, unknown>): Promise<void> {
  const interaction = loaded as SavableInteraction;
  const left = typeof interaction.exp === 'number' ? interaction.exp - Math.floor(Date.now() / 1000) : 0;
  if (interaction.session?.uid || left <= 0 || typeof interaction.returnTo !== 'string') {
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  } else {
    interaction.result = result;
    await interaction.persist();
    // oidc-provider's own answer (interactionFinished), byte for byte.
    ctx.res.statusCode = 303;
    ctx.res.setHeader('Location', interaction.returnTo);
    ctx.res.setHeader('Content-Length', '0');
    ctx.res.end();
  }
  ctx.respond = false;
}
