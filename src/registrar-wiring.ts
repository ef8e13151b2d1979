import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Context } from 'koa';
import type { Config } from './config.js';
import { createRegistrar, type RegistrarOptions } from './registrar/index.js';
import { seedRegistrarDemo } from './registrar/demo-seed.js';
import type { RegistrarService } from './registrar/service.js';
import type { Services } from './services.js';
import { ensureOfficeClient } from './web/office/client.js';
import { officeRouter } from './web/office/routes.js';
import { openApiRouter } from './web/openapi.js';
import { registrarApiRouter } from './web/registrar-api/routes.js';
import { registrarRequestSchemas } from './web/registrar-api/schemas.js';
import { RegistrarTokenVerifier, registrarAudience } from './web/registrar-api/token.js';

// Part of the composition root: office issuance (the registrar API at /registrar/v1, the registrar
// console at /office, both over the one service) and the OpenAPI document at /openapi.json. Another API adds its paths file in docs/openapi/ and its generated request
// schemas to the list given to openApiRouter here.

export async function registrarWiring(
  config: Config,
  services: Services,
  provider: () => Provider,
  clientIp: (ctx: Context) => string,
  options: RegistrarOptions = {},
): Promise<{ service: RegistrarService; routers: Router[] }> {
  const service = createRegistrar(services, options);
  if (config.demo) {
    await seedRegistrarDemo({
      issuer: config.issuer,
      accounts: services.accounts,
      clients: services.clients,
      resourceServers: services.resourceServers,
      registry: services.registry,
      repository: service.repository,
      audience: registrarAudience(config.issuer),
    });
  }
  const verifier = new RegistrarTokenVerifier(config.issuer, services.keys, service.repository, provider, config.clockToleranceSeconds, services.revocations);
  await ensureOfficeClient(services.clients, config.issuer);
  return {
    service,
    routers: [
      openApiRouter(config.issuer, { ...registrarRequestSchemas() }) as unknown as Router,
      registrarApiRouter({ service, verifier, clientIp }) as unknown as Router,
      officeRouter({ config, services, provider, service, clientIp }),
    ],
  };
}
