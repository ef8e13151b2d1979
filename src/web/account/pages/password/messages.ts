import type { Notification } from '../../../../accounts/notifier.js';
import { registerCatalog, type English } from '../../../../i18n/index.js';

const tr = {
  'account.nav.password': 'Şifremi değiştir',
  'pwchange.title': 'Şifremi değiştir',
  'pwchange.lead': 'Önce şu anki şifrenizi, sonra güvenli şifre kurallarına uygun yeni şifrenizi iki kez yazın.',
  'pwchange.lead_without_old': 'Bu oturumu {method} ile açtığınız için eski şifreniz gerekmeden, ücretsiz olarak yeni bir şifre belirleyebilirsiniz.',
  'pwchange.current': 'Şu anki şifreniz',
  'pwchange.new': 'Yeni şifre',
  'pwchange.confirm': 'Yeni şifre (tekrar)',
  'pwchange.submit': 'Değiştir',
  'pwchange.set_submit': 'Şifreyi belirle',
  'pwchange.no_password':
    'Henüz bir şifreniz yok. Şifreyi e-İmza, mobil imza, T.C. Kimlik Kartı veya İnternet Bankacılığı ile giriş yaparak bu sayfadan belirleyebilir ya da PTT veya Türksat Kablo ofisinden alabilirsiniz.',
  'pwchange.sign_in_strong': 'e-İmza, mobil imza, kimlik kartı veya İnternet Bankacılığı ile giriş yap',
  'pwchange.notice.changed': 'Şifreniz değiştirildi. Diğer oturumlarınız sonlandırıldı.',
  'pwchange.error.current_missing': 'Şu anki şifrenizi yazın.',
  'pwchange.error.current_wrong': 'Şu anki şifreniz doğru değil.',
  'pwchange.error.too_many': 'Çok fazla yanlış deneme yapıldı. {seconds} saniye sonra yeniden deneyin.',
  'pwchange.error.rules': 'Yeni şifre güvenli şifre kurallarına uymuyor.',
  'pwchange.error.mismatch': 'Yeni şifre ile tekrarı aynı değil.',
  'pwchange.notify.changed.sms': 'Kapı: Şifreniz {when} tarihinde değiştirildi. Bu işlemi siz yapmadıysanız hemen "Şifremi unuttum" ile yeni şifre alın.',
  'pwchange.notify.changed.subject': 'Şifreniz değiştirildi',
  'pwchange.notify.changed.mail':
    'Kapı şifreniz {when} tarihinde değiştirildi ve diğer oturumlarınız sonlandırıldı.\n\nBu işlemi siz yapmadıysanız hemen "Şifremi unuttum" ile yeni şifre alın ya da e-İmza veya mobil imza ile giriş yapıp şifrenizi değiştirin.',
} as const;

const en: English<typeof tr> = {
  'account.nav.password': 'Change my password',
  'pwchange.title': 'Change my password',
  'pwchange.lead': 'Type your current password first, then your new password, following the rules for a safe password, twice.',
  'pwchange.lead_without_old': 'You signed in to this session with {method}, so you can set a new password free of charge without the old one.',
  'pwchange.current': 'Current password',
  'pwchange.new': 'New password',
  'pwchange.confirm': 'New password (again)',
  'pwchange.submit': 'Change',
  'pwchange.set_submit': 'Set the password',
  'pwchange.no_password':
    'You have no password yet. You can set one here after signing in with e-signature, mobile signature, the ID card or online banking, or get one at a post office or cable office.',
  'pwchange.sign_in_strong': 'Sign in with e-signature, mobile signature, the ID card or online banking',
  'pwchange.notice.changed': 'Your password has been changed. Your other sessions have been ended.',
  'pwchange.error.current_missing': 'Type your current password.',
  'pwchange.error.current_wrong': 'Your current password is not right.',
  'pwchange.error.too_many': 'Too many wrong attempts. Try again in {seconds} seconds.',
  'pwchange.error.rules': 'The new password does not follow the rules for a safe password.',
  'pwchange.error.mismatch': 'The new password and its repetition differ.',
  'pwchange.notify.changed.sms': 'Kapı: your password was changed on {when}. If this was not you, get a new one now with "Forgot my password".',
  'pwchange.notify.changed.subject': 'Your password was changed',
  'pwchange.notify.changed.mail':
    'Your Kapı password was changed on {when} and your other sessions were ended.\n\nIf this was not you, get a new password now with "Forgot my password", or sign in with e-signature or mobile signature and change it.',
};

registerCatalog(tr, en);

declare module '../../../../i18n/index.js' {
  interface Catalogs {
    'src/web/account/pages/password/messages': typeof tr;
  }
}

/** The password was changed (`{when}`). */
export const PASSWORD_CHANGED: Notification = {
  sms: 'pwchange.notify.changed.sms',
  subject: 'pwchange.notify.changed.subject',
  mail: 'pwchange.notify.changed.mail',
};
