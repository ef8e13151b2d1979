import { registerCatalog, type English } from '../i18n/index.js';

const tr = {
  'demo.title': 'Örnek Belediye e-Hizmetleri',
  'demo.lead':
    'Bu sayfa, Kapı ile giriş yapan bir kurum uygulamasının örneğidir. Giriş, gerçek bir OpenID Connect akışıyla (yetkilendirme kodu + PKCE) yapılır.',
  'demo.sign_in': 'Kapı ile giriş yap',
  'demo.sign_in_substantial': 'Kapı ile giriş yap (önemli düzey iste)',
  'demo.claims': 'Doğrulanmış bilgiler (kimlik belirteci ve kullanıcı bilgisi uç noktası)',
  'demo.sign_out': 'Çıkış yap',
  'demo.failure': 'Giriş tamamlanamadı: {error}',
  'demo.claim': 'Bilgi',
  'demo.value': 'Değer',
} as const;

const en: English<typeof tr> = {
  'demo.title': 'Sample Municipality e-Services',
  'demo.lead': 'This page is a sample institution application that signs people in with Kapı, through a real OpenID Connect flow (authorization code + PKCE).',
  'demo.sign_in': 'Sign in with Kapı',
  'demo.sign_in_substantial': 'Sign in with Kapı (ask for level substantial)',
  'demo.claims': 'Verified claims (ID token and userinfo)',
  'demo.sign_out': 'Sign out',
  'demo.failure': 'The sign-in did not complete: {error}',
  'demo.claim': 'Claim',
  'demo.value': 'Value',
};

registerCatalog(tr, en);

declare module '../i18n/index.js' {
  interface Catalogs {
    'src/demo/messages': typeof tr;
  }
}
