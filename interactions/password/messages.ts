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
  'password.rules_title': 'Güvenli şifre kuralları',
  'password.rule.length': '{min} ile {max} karakter arasında olmalı; uzun bir cümle en iyisidir.',
  'password.rule.common': 'Sık kullanılan ya da tahmin edilmesi kolay bir şifre olmamalı.',
  'password.rule.repetitive': 'Tekrar eden ya da sıralı karakterlerden (aaaa, 1234, abcd) oluşmamalı.',
  'password.rule.personal': 'Kimlik numaranızı, doğum tarihinizi ya da adınızı içermemeli.',
  'password.violation.too_short': 'Şifre en az {min} karakter olmalı.',
  'password.violation.too_long': 'Şifre en fazla {max} karakter olabilir.',
  'password.violation.common': 'Bu şifre çok yaygın; başka bir şifre seçin.',
  'password.violation.repetitive': 'Şifre tekrar eden ya da sıralı karakterlerden oluşuyor.',
  'password.violation.contains_identity_number': 'Şifre kimlik numaranızı içeriyor.',
  'password.violation.contains_birthdate': 'Şifre doğum tarihinizi içeriyor.',
  'password.violation.contains_name': 'Şifre adınızı ya da soyadınızı içeriyor.',
  'password.violation.same_as_current': 'Yeni şifre şu anki şifrenizle aynı; farklı bir şifre seçin.',
  'password.violation.same_as_one_time': 'Bu, ofisten aldığınız tek kullanımlık şifre; yerine kendi belirleyeceğiniz yeni bir şifre yazın.',
  'password.suspended': 'Bu kimlik numarası için art arda çok fazla hatalı şifre denendiği için şifre ile giriş durduruldu. {methods} ile giriş yapın veya şifrenizi yenileyin; daha önce giriş yaptığınız tarayıcınızda şifreniz çalışmaya devam eder.',
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
  'password.rules_title': 'Rules for a safe password',
  'password.rule.length': 'Between {min} and {max} characters; a long sentence is best.',
  'password.rule.common': 'Not a common or easily guessed password.',
  'password.rule.repetitive': 'Not repeated or sequential characters (aaaa, 1234, abcd).',
  'password.rule.personal': 'Not containing your identity number, date of birth or name.',
  'password.violation.too_short': 'The password must have at least {min} characters.',
  'password.violation.too_long': 'The password can have at most {max} characters.',
  'password.violation.common': 'This password is too common; choose another.',
  'password.violation.repetitive': 'The password is made of repeated or sequential characters.',
  'password.violation.contains_identity_number': 'The password contains your identity number.',
  'password.violation.contains_birthdate': 'The password contains your date of birth.',
  'password.violation.contains_name': 'The password contains your name.',
  'password.violation.same_as_current': 'The new password is the same as your current one; choose a different one.',
  'password.violation.same_as_one_time': 'This is the one-time password you were given at the office; type a new password of your own instead.',
  'password.suspended': 'Too many wrong passwords were tried in a row for this identity number, so password sign-in is suspended for it. Sign in with {methods}, or renew your password; in a browser you have signed in with before, your password still works.',
};

registerCatalog(tr, en);

declare module '../../src/i18n/index.js' {
  interface Catalogs {
    'interactions/password/messages': typeof tr;
  }
}
