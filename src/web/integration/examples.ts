import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCOPE_CLAIMS } from '../../oidc/claims.js';
import { PROJECT_ROOT } from '../render.js';

// The integration page's examples (issue 23 point 3), filled in with one institution's values: the Node
// example is a file that runs (examples/node-sign-in.mjs, run by test/e2e/integration-example.test.ts)
// with its settings block rewritten; Spring Security and ASP.NET Core are configuration. The secret is
// never in an example: each reads it from the environment or the application's secret store.

export interface ExampleValues {
  issuer: string;
  clientId: string;
  /** client_secret_basic | private_key_jwt | none */
  auth: string;
  redirectUri: string;
  scopes: string[];
  idTokenAlg: string;
  par: boolean;
  dpop: boolean;
}

export const NODE_EXAMPLE_FILE = path.join(PROJECT_ROOT, 'src/web/integration/examples/node-sign-in.mjs');
const NODE_SOURCE = readFileSync(NODE_EXAMPLE_FILE, 'utf8');

const js = (value: string | boolean) => (typeof value === 'boolean' ? String(value) : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);

/** The Node example with its settings block holding this institution's values (every other line as in the file). */
export function nodeExample(v: ExampleValues): string {
  const values: Record<string, string | boolean> = {
    issuer: v.issuer,
    clientId: v.clientId,
    auth: v.auth,
    redirectUri: v.redirectUri,
    scope: v.scopes.join(' '),
    idTokenAlg: v.idTokenAlg,
    par: v.par,
    dpop: v.dpop,
  };
  const start = NODE_SOURCE.indexOf('const settings = {');
  const end = NODE_SOURCE.indexOf('\n};', start);
  if (start < 0 || end < 0) throw new Error('node-sign-in.mjs: the settings block is missing');
  const block = NODE_SOURCE.slice(start, end).replace(/^(\s+)(\w+): .*,$/gm, (line, indent: string, key: string) =>
    key in values ? `${indent}${key}: ${js(values[key]!)},` : line,
  );
  return NODE_SOURCE.slice(0, start) + block + NODE_SOURCE.slice(end);
}

/** Spring Boot's application.yml (spring-boot-starter-oauth2-client). */
export function springYaml(v: ExampleValues): string {
  const redirectPath = new URL(v.redirectUri).pathname;
  return [
    '# application.yml: Spring Boot 3 with spring-boot-starter-oauth2-client (Spring Security 6)',
    'spring:',
    '  security:',
    '    oauth2:',
    '      client:',
    '        registration:',
    '          kapi:',
    '            provider: kapi',
    `            client-id: ${v.clientId}`,
    ...(v.auth === 'client_secret_basic' ? ['            client-secret: ${KAPI_CLIENT_SECRET} # from the environment, never in this file'] : []),
    `            client-authentication-method: ${v.auth}`,
    '            authorization-grant-type: authorization_code',
    `            redirect-uri: "${v.redirectUri}" # SecurityConfig below receives it at ${redirectPath}`,
    `            scope: ${v.scopes.join(', ')}`,
    '        provider:',
    '          kapi:',
    `            issuer-uri: ${v.issuer} # discovery: ${v.issuer}/.well-known/openid-configuration`,
    '            user-name-attribute: sub',
    ...(v.auth === 'private_key_jwt'
      ? ['# private_key_jwt: register an OAuth2AccessTokenResponseClient with a NimbusJwtClientAuthenticationParametersConverter that signs with your key.']
      : []),
  ].join('\n');
}

/** The Java half of the Spring example: PKCE (S256) for a confidential client, the callback path, the ID token's algorithm. */
export function springJava(v: ExampleValues): string {
  const redirectPath = new URL(v.redirectUri).pathname;
  const alg = v.idTokenAlg !== 'RS256';
  return [
    '// SecurityConfig.java',
    '@Configuration',
    'class SecurityConfig {',
    '  @Bean',
    '  SecurityFilterChain security(HttpSecurity http, ClientRegistrationRepository registrations) throws Exception {',
    '    var resolver = new DefaultOAuth2AuthorizationRequestResolver(registrations, "/oauth2/authorization");',
    '    // Kapı takes the authorization code flow with PKCE (S256) only, confidential clients included.',
    '    resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());',
    '    http.authorizeHttpRequests((a) -> a.anyRequest().authenticated())',
    '        .oauth2Login((o) -> o',
    '            .authorizationEndpoint((a) -> a.authorizationRequestResolver(resolver))',
    `            .redirectionEndpoint((r) -> r.baseUri("${redirectPath}")));`,
    '    return http.build();',
    '  }',
    ...(alg
      ? [
          '',
          `  // This institution's ID tokens are signed with ${v.idTokenAlg} (Spring expects RS256 unless told).`,
          '  @Bean',
          '  JwtDecoderFactory<ClientRegistration> idTokenDecoderFactory() {',
          '    var factory = new OidcIdTokenDecoderFactory();',
          `    factory.setJwsAlgorithmResolver((registration) -> SignatureAlgorithm.${v.idTokenAlg});`,
          '    return factory;',
          '  }',
        ]
      : []),
    '}',
  ].join('\n');
}

/** ASP.NET Core's Program.cs (Microsoft.AspNetCore.Authentication.OpenIdConnect). */
export function dotnetProgram(v: ExampleValues): string {
  const redirect = new URL(v.redirectUri);
  const claims = v.scopes
    .flatMap((s) => (SCOPE_CLAIMS as Record<string, readonly string[]>)[s] ?? [])
    .filter((c) => !['sub', 'acr', 'amr', 'auth_time', 'name', 'given_name', 'family_name', 'email'].includes(c));
  const basic = v.auth === 'client_secret_basic';
  return [
    '// Program.cs: ASP.NET Core with Microsoft.AspNetCore.Authentication.OpenIdConnect',
    ...(basic ? ['using System.Net.Http.Headers;', 'using System.Text;'] : []),
    'using Microsoft.AspNetCore.Authentication.Cookies;',
    'using Microsoft.AspNetCore.Authentication.OpenIdConnect;',
    'using Microsoft.IdentityModel.Protocols.OpenIdConnect;',
    '',
    'var builder = WebApplication.CreateBuilder(args);',
    'builder.Services.AddAuthentication(options =>',
    '{',
    '    options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;',
    '    options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;',
    '})',
    '.AddCookie()',
    '.AddOpenIdConnect(options =>',
    '{',
    `    options.Authority = "${v.issuer}"; // discovery: Authority + /.well-known/openid-configuration`,
    `    options.ClientId = "${v.clientId}";`,
    ...(basic ? ['    options.ClientSecret = builder.Configuration["Kapi:ClientSecret"]; // user secrets or the environment, never this file'] : []),
    '    options.ResponseType = OpenIdConnectResponseType.Code;',
    '    options.ResponseMode = OpenIdConnectResponseMode.Query;',
    '    options.UsePkce = true;',
    '    options.Scope.Clear();',
    ...v.scopes.map((s) => `    options.Scope.Add("${s}");`),
    '    options.GetClaimsFromUserInfoEndpoint = true;',
    `    options.CallbackPath = "${redirect.pathname}"; // the path of ${v.redirectUri}`,
    "    options.MapInboundClaims = false; // keep Kapı's claim names",
    '    // acr and amr say how the person signed in: keep them (the handler drops them by default).',
    '    options.ClaimActions.Remove("acr");',
    '    options.ClaimActions.Remove("amr");',
    ...claims.map((c) => `    options.ClaimActions.MapUniqueJsonKey("${c}", "${c}");`),
    ...(v.issuer.startsWith('http:') ? ['    options.RequireHttpsMetadata = false; // a Kapı on this machine only'] : []),
    ...(basic
      ? [
          '    // Kapı takes the secret in the Authorization header (client_secret_basic); the handler would',
          '    // put it in the form, so the code is redeemed here.',
          '    options.Events.OnAuthorizationCodeReceived = async context =>',
          '    {',
          '        var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);',
          '        var form = context.TokenEndpointRequest!.Parameters.Where(p => p.Key is not ("client_id" or "client_secret"));',
          '        var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };',
          '        var credentials = $"{Uri.EscapeDataString(context.Options.ClientId!)}:{Uri.EscapeDataString(context.Options.ClientSecret!)}";',
          '        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));',
          '        var response = await context.Backchannel.SendAsync(request, context.HttpContext.RequestAborted);',
          '        response.EnsureSuccessStatusCode();',
          '        context.HandleCodeRedemption(new OpenIdConnectMessage(await response.Content.ReadAsStringAsync()));',
          '    };',
        ]
      : []),
    ...(v.auth === 'private_key_jwt'
      ? ['    // private_key_jwt: set context.TokenEndpointRequest.ClientAssertion (a JWT signed with your key) in OnAuthorizationCodeReceived.']
      : []),
    '});',
    '',
    'var app = builder.Build();',
    'app.UseAuthentication();',
    'app.UseAuthorization();',
    'app.MapGet("/", (HttpContext http) => http.User.Claims.Select(c => new { c.Type, c.Value })).RequireAuthorization();',
    'app.Run();',
  ].join('\n');
}
