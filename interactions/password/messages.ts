import { registerCatalog, type English } from '../../src/i18n/index.js';

const tr = {
  'method.password': 'T.C. kimlik numarası ve şifre',
  'password.title': 'Şifre ile giriş',
  'password.national_id': 'T.C. kimlik numarası',
  'password.national_id_hint': '11 haneli kimlik numaranız (yabancı kimlik numarası da olabilir)',
  'password.closed_hint': 'Şifreyle girişi kapattıysanız e-imza, mobil imza, T.C. kimlik kartı veya internet bankacılığı ile giriş yapın.',
  'password.password': 'Şifre',
  'password.submit': 'Giriş yap',
  'password.other_methods': 'Başka bir yöntemle giriş yap',
  'password.warning': 'Şifrenizi kimseyle paylaşmayın. Kapı sizden şifrenizi asla telefonla ya da e-postayla istemez.',
  'password.change_title': 'Yeni şifrenizi belirleyin',
  'password.change_lead': 'PTT veya Türksat Kablo ofisinden aldığınız tek kullanımlık şifreyle giriş yaptınız. Devam etmek için yeni bir şifre belirleyin.',
  'password.new_password': 'Yeni şifre',
  'password.new_password_confirm': 'Yeni şifre (tekrar)',
  'password.change_submit': 'Şifremi değiştir',
  'password.suspended':
    'Bu kimlik numarası için art arda çok fazla hatalı şifre denendiği için şifre ile giriş durduruldu. {methods} ile giriş yapın veya şifrenizi yenileyin; daha önce giriş yaptığınız tarayıcınızda şifreniz çalışmaya devam eder.',
} as const;

const en: English<typeof tr> = {
  'method.password': 'Identity number and password',
  'password.title': 'Sign in with a password',
  'password.national_id': 'Identity number',
  'password.national_id_hint': 'Your 11-digit identity number (a foreign identification number also works)',
  'password.closed_hint': 'If you closed password sign-in, sign in with e-signature, mobile signature, the ID card or online banking.',
  'password.password': 'Password',
  'password.submit': 'Sign in',
  'password.other_methods': 'Sign in another way',
  'password.warning': 'Never share your password. Kapı never asks for it by phone or e-mail.',
  'password.change_title': 'Set your new password',
  'password.change_lead': 'You signed in with the one-time password from a post office or cable office. Set a new password to continue.',
  'password.new_password': 'New password',
  'password.new_password_confirm': 'New password (again)',
  'password.change_submit': 'Change my password',
  'password.suspended':
    'Too many wrong passwords were tried in a row for this identity number, so password sign-in is suspended for it. Sign in with {methods}, or renew your password; in a browser you have signed in with before, your password still works.',
};

registerCatalog(tr, en);

declare module '../../src/i18n/index.js' {
  interface Catalogs {
    'interactions/password/messages': typeof tr;
  }
}
