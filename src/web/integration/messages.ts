import { registerCatalog, type English } from '../../i18n/index.js';

// The words of the integration pages (issue 23 point 3): an institution's page in the operator console
// and the demo's public developer page.

const tr = {
  'integration.title': 'Entegrasyon: {name}',
  'integration.lead':
    'Kurumunuzun uygulamasını Kapı\'ya bağlamak için gerekenler. Kapı OpenID Connect yetkilendirme kodu akışını yalnızca PKCE (S256) ile kabul eder; her yetkilendirme yanıtında "iss" bulunur.',
  'integration.console_link': 'Entegrasyon sayfası',
  'integration.back': 'Kurum sayfasına dön',
  'integration.connection': 'Bağlantı bilgileri',
  'integration.field.issuer': 'Yayıncı (issuer)',
  'integration.field.discovery': 'Keşif adresi (discovery)',
  'integration.field.client_id': 'İstemci kimliği (client_id)',
  'integration.field.auth': 'Token uç noktası kimlik doğrulaması',
  'integration.field.redirect_uris': 'Dönüş adresleri (redirect_uri)',
  'integration.field.post_logout_uris': 'Çıkış sonrası dönüş adresleri',
  'integration.field.id_token_alg': 'Kimlik belirteci imza algoritması',
  'integration.none': 'Kayıtlı değil',
  'integration.secret_note':
    'İstemci sırrı bu sayfada hiçbir zaman gösterilmez: kayıtta ya da yenilemede bir kez gösterilir. Örnekler onu ortam değişkeninden ya da uygulamanın gizli ayarlarından okur; kaynak koda yazmayın.',
  'integration.requirements': 'Bu kurum için ek koşullar',
  'integration.requires.par': 'Yetkilendirme istekleri PAR (itilmiş yetkilendirme isteği) ile gönderilmelidir.',
  'integration.requires.dpop': 'Erişim belirteçleri DPoP ile anahtara bağlanmalıdır.',
  'integration.requires.fapi': 'FAPI 2.0 güvenlik profili: private_key_jwt, PAR ve anahtara bağlı belirteçler.',
  'integration.requires.min_acr': 'Kapı bu kurum için en az "{level}" güvence düzeyinde giriş ister.',
  'integration.scopes': 'Kayıtlı kapsamlar ve bilgiler',
  'integration.scopes_caption': 'Bu kurumun isteyebileceği kapsamlar (scope) ve her birinin verdiği bilgiler (claims)',
  'integration.scope': 'Kapsam',
  'integration.claims': 'Bilgiler',
  'integration.acr_amr': 'Giriş yöntemleri, güvence düzeyi (acr) ve amr',
  'integration.acr_amr_lead':
    'Düzeyler: low < substantial < high. acr_values ya da zorunlu bir acr bilgisiyle istenir. Kimlik belirteci, acr ve amr (RFC 8176) değerlerini taşır. Tablo, yöntem modüllerinin kendilerinden üretilir.',
  'integration.acr_amr_caption': 'Tamamlanan yöntemler, ulaşılan düzey ve gönderilen amr değerleri',
  'integration.col.methods': 'Tamamlanan yöntemler',
  'integration.col.acr': 'acr',
  'integration.col.amr': 'amr',
  'integration.col.notes': 'Bağlı olduğu durum',
  'integration.raised': '(ikinci adımla yükselir)',
  'integration.examples': 'Çalışan örnekler',
  'integration.examples_lead': 'Örnekler bu kurumun değerleriyle doldurulmuştur; istemci sırrı yerine ortam değişkeni kullanılır.',
  'integration.example.node': 'Node.js (openid-client 6)',
  'integration.example.node_lead':
    "Keşif, PKCE (S256) ile yetkilendirme adresi, dönüş ve userinfo: küçük ama eksiksiz bir web uygulaması. Kapı'nın testleri bu dosyayı çalıştırır.",
  'integration.example.java': 'Java (Spring Security)',
  'integration.example.java_lead': "application.yml ve PKCE'yi açan güvenlik yapılandırması.",
  'integration.example.dotnet': '.NET (ASP.NET Core, AddOpenIdConnect)',
  'integration.example.dotnet_lead': 'Program.cs içindeki OpenID Connect ayarları.',

  'developers.title': 'Geliştiriciler için: Kapı demo',
  'developers.lead':
    'Bu demo sunucusundaki örnek kurumun bilgileri, deneme vatandaşları ve örnek kodlar. Kendi kurumunuzun bilgilerini Kapı işletmecisinden alırsınız (işletim konsolundaki entegrasyon sayfası).',
  'developers.try': 'Demo kurumla giriş yapmayı deneyin',
  'developers.citizens': 'Deneme vatandaşları',
  'developers.citizens_caption': 'Demo vatandaşlar: kimlik numarası ve parola',
  'developers.col.name': 'Ad soyad',
  'developers.col.national_id': 'Kimlik numarası',
  'developers.col.password': 'Parola',
  'developers.must_change': 'Posta merkezinde verilmiş tek kullanımlık parola: ilk girişte yenisi belirlenir.',
  'developers.sms_note': 'SMS ve e-posta ile gönderilen kodlar bu demoda gönderilmez, {outbox} sayfasında okunur.',
  'developers.bank': 'Demo banka müşterileri',
  'developers.bank_caption': 'Demo bankada internet bankacılığıyla giriş: müşteri numarası ve parola (tek kullanımlık kod: {otp})',
  'developers.col.customer': 'Müşteri numarası',
  'developers.col.otp': 'Tek kullanımlık kod ister',
  'developers.col.note': 'Ne gösterir',
  'developers.mssp': 'Mobil imza deneme numaraları',
  'developers.mssp_caption': 'Mobil imza benzeticisinde imzalayan numaralar (her operatörde)',
  'developers.col.number': 'Telefon numarası',
  'developers.col.signs_as': 'İmzalayan kişi',
  'developers.mssp_note': 'Hata durumlarını gösteren diğer numaralar README\'nin "Mobile signature" bölümündedir.',
  'developers.yes': 'Evet',
  'developers.no': 'Hayır',
} as const;

const en: English<typeof tr> = {
  'integration.title': 'Integration: {name}',
  'integration.lead':
    'What your institution\'s application needs to connect to Kapı. Kapı accepts the OpenID Connect authorization code flow with PKCE (S256) only; every authorization response carries "iss".',
  'integration.console_link': 'Integration page',
  'integration.back': "Back to the institution's page",
  'integration.connection': 'Connection details',
  'integration.field.issuer': 'Issuer',
  'integration.field.discovery': 'Discovery URL',
  'integration.field.client_id': 'Client ID (client_id)',
  'integration.field.auth': 'Token endpoint authentication',
  'integration.field.redirect_uris': 'Redirect URIs',
  'integration.field.post_logout_uris': 'Post-logout redirect URIs',
  'integration.field.id_token_alg': 'ID token signing algorithm',
  'integration.none': 'None registered',
  'integration.secret_note':
    "The client secret is never shown on this page: it is shown once, when registered or rotated. The examples read it from the environment or the application's secret store; never put it in source code.",
  'integration.requirements': 'Further requirements for this institution',
  'integration.requires.par': 'Authorization requests must be pushed (PAR).',
  'integration.requires.dpop': 'Access tokens must be bound to a key with DPoP.',
  'integration.requires.fapi': 'FAPI 2.0 security profile: private_key_jwt, PAR and sender-constrained tokens.',
  'integration.requires.min_acr': 'Kapı requires at least level "{level}" for this institution.',
  'integration.scopes': 'Registered scopes and claims',
  'integration.scopes_caption': 'The scopes this institution may ask for, and the claims each one releases',
  'integration.scope': 'Scope',
  'integration.claims': 'Claims',
  'integration.acr_amr': 'Sign-in methods, level (acr) and amr',
  'integration.acr_amr_lead':
    'Levels: low < substantial < high. Ask with acr_values or an essential acr claim. ID tokens carry acr and amr (RFC 8176). The table is generated from the method modules themselves.',
  'integration.acr_amr_caption': 'Methods completed, the level reached and the amr values sent',
  'integration.col.methods': 'Methods completed',
  'integration.col.acr': 'acr',
  'integration.col.amr': 'amr',
  'integration.col.notes': 'Depends on',
  'integration.raised': '(raised by the second stage)',
  'integration.examples': 'Working examples',
  'integration.examples_lead': "The examples are filled in with this institution's values; an environment variable stands for the client secret.",
  'integration.example.node': 'Node.js (openid-client 6)',
  'integration.example.node_lead':
    "Discovery, the authorization URL with PKCE (S256), the callback and userinfo: a small but complete web application. Kapı's tests run this file.",
  'integration.example.java': 'Java (Spring Security)',
  'integration.example.java_lead': 'application.yml and the security configuration that turns PKCE on.',
  'integration.example.dotnet': '.NET (ASP.NET Core, AddOpenIdConnect)',
  'integration.example.dotnet_lead': 'The OpenID Connect options in Program.cs.',

  'developers.title': 'For developers: the Kapı demo',
  'developers.lead':
    "The demo institution on this demo server, its test citizens and example code. Your own institution's details come from Kapı's operator (the integration page in the operator console).",
  'developers.try': 'Try signing in with the demo institution',
  'developers.citizens': 'Test citizens',
  'developers.citizens_caption': 'Demo citizens: identity number and password',
  'developers.col.name': 'Name',
  'developers.col.national_id': 'Identity number',
  'developers.col.password': 'Password',
  'developers.must_change': 'A one-time password issued at a post office: a new one is set at the first sign-in.',
  'developers.sms_note': 'Codes sent by SMS and e-mail are not sent on this demo; read them on the {outbox} page.',
  'developers.bank': 'Demo bank customers',
  'developers.bank_caption': 'Online banking at the demo bank: customer number and password (one-time code: {otp})',
  'developers.col.customer': 'Customer number',
  'developers.col.otp': 'Asks for a one-time code',
  'developers.col.note': 'What it shows',
  'developers.mssp': 'Mobile signature test numbers',
  'developers.mssp_caption': 'Numbers that sign on the mobile signature simulator (any operator)',
  'developers.col.number': 'Phone number',
  'developers.col.signs_as': 'Signs as',
  'developers.mssp_note': 'The other numbers, showing the failures, are in the README\'s "Mobile signature" section.',
  'developers.yes': 'Yes',
  'developers.no': 'No',
};

registerCatalog(tr, en);

declare module '../../i18n/index.js' {
  interface Catalogs {
    'src/web/integration/messages': typeof tr;
  }
}
