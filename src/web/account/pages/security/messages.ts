import type { Notification } from '../../../../accounts/notifier.js';
import type { SettingChangeName } from './settings.js';
import { registerCatalog, type English } from '../../../../i18n/index.js';

const tr = {
  'account.nav.security': 'Güvenlik ve ayarlar',
  'security.title': 'Güvenlik ve ayarlar',
  'security.password.heading': 'Şifre ile giriş',
  'security.password.open': 'Şifre ile giriş açık.',
  'security.password.closed': 'Şifre ile giriş kapalı.',
  'security.password.no_password': 'Henüz bir şifreniz yok.',
  'security.password.close_explain':
    'Şifre ile girişi kapatırsanız şifreniz doğru girilse bile kabul edilmez; e-İmza, mobil imza, T.C. Kimlik Kartı veya İnternet Bankacılığı ile giriş yapabilirsiniz.',
  'security.password.open_explain':
    'Şifre ile girişi yeniden açabilir ya da PTT veya Türksat Kablo ofisinden yeni şifre alabilirsiniz; yeni şifre girişi de açar.',
  'security.password.close': 'Şifre ile girişi kapat',
  'security.password.open_button': 'Şifre ile girişi aç',
  'security.password.needs_signature': 'Şifre ile girişi kapatmak ya da açmak için e-İmza veya mobil imza ile giriş yapmış olmanız gerekir.',
  'security.password.sign_in_with_signature': 'e-İmza veya mobil imza ile giriş yap',
  'security.restrictions.heading': 'Erişim kısıtlamaları',
  'security.restrictions.lead': 'Güvenli bulmadığınız bir giriş yöntemini kapatabilirsiniz. Siz "Açık" seçmedikçe kapalı kalır.',
  'security.restrictions.banking': 'İnternet Bankacılığı ile giriş',
  'security.restrictions.open': 'Açık',
  'security.restrictions.blocked': 'Kapalı',
  'security.restrictions.block': 'İnternet Bankacılığı ile girişi kapat',
  'security.restrictions.unblock': 'İnternet Bankacılığı ile girişi aç',
  'security.restrictions.unblock_explain': 'Açmadan önce güvenliğiniz için kimliğinizi yeniden doğrulamanız istenebilir.',
  'security.notice.password_login_closed': 'Şifre ile giriş kapatıldı. Diğer oturumlarınız sonlandırıldı.',
  'security.notice.password_login_opened': 'Şifre ile giriş açıldı. Diğer oturumlarınız sonlandırıldı.',
  'security.notice.bank_login_blocked': 'İnternet Bankacılığı ile giriş kapatıldı. Diğer oturumlarınız sonlandırıldı.',
  'security.notice.bank_login_unblocked': 'İnternet Bankacılığı ile giriş açıldı. Diğer oturumlarınız sonlandırıldı.',
  'security.notice.unchanged': 'Ayar zaten bu durumdaydı; bir değişiklik yapılmadı.',
  'security.notify.password_login_closed.sms':
    'Kapı: Hesabınızda şifre ile giriş {when} tarihinde kapatıldı. Bu işlemi siz yapmadıysanız hemen e-İmza veya mobil imza ile giriş yapın.',
  'security.notify.password_login_closed.subject': 'Şifre ile giriş kapatıldı',
  'security.notify.password_login_closed.mail':
    'Hesabınızda şifre ile giriş {when} tarihinde kapatıldı ve diğer oturumlarınız sonlandırıldı.\n\nBu işlemi siz yapmadıysanız e-İmza veya mobil imza ile giriş yapıp "Güvenlik ve ayarlar" sayfasını kontrol edin.',
  'security.notify.password_login_opened.sms':
    'Kapı: Hesabınızda şifre ile giriş {when} tarihinde açıldı. Bu işlemi siz yapmadıysanız hemen e-İmza veya mobil imza ile giriş yapın.',
  'security.notify.password_login_opened.subject': 'Şifre ile giriş açıldı',
  'security.notify.password_login_opened.mail':
    'Hesabınızda şifre ile giriş {when} tarihinde açıldı ve diğer oturumlarınız sonlandırıldı.\n\nBu işlemi siz yapmadıysanız e-İmza veya mobil imza ile giriş yapıp şifre ile girişi yeniden kapatın.',
  'security.notify.bank_login_blocked.sms': 'Kapı: Hesabınızda İnternet Bankacılığı ile giriş {when} tarihinde kapatıldı.',
  'security.notify.bank_login_blocked.subject': 'İnternet Bankacılığı ile giriş kapatıldı',
  'security.notify.bank_login_blocked.mail':
    'Hesabınızda İnternet Bankacılığı ile giriş {when} tarihinde kapatıldı ve diğer oturumlarınız sonlandırıldı. Siz "Erişim kısıtlamaları" bölümünden açana kadar kapalı kalır.',
  'security.notify.bank_login_unblocked.sms':
    'Kapı: Hesabınızda İnternet Bankacılığı ile giriş {when} tarihinde açıldı. Bu işlemi siz yapmadıysanız hemen giriş yapıp kapatın.',
  'security.notify.bank_login_unblocked.subject': 'İnternet Bankacılığı ile giriş açıldı',
  'security.notify.bank_login_unblocked.mail':
    'Hesabınızda İnternet Bankacılığı ile giriş {when} tarihinde açıldı ve diğer oturumlarınız sonlandırıldı.\n\nBu işlemi siz yapmadıysanız giriş yapıp "Erişim kısıtlamaları" bölümünden yeniden kapatın.',
} as const;

const en: English<typeof tr> = {
  'account.nav.security': 'Security and settings',
  'security.title': 'Security and settings',
  'security.password.heading': 'Password sign-in',
  'security.password.open': 'Password sign-in is open.',
  'security.password.closed': 'Password sign-in is closed.',
  'security.password.no_password': 'You have no password yet.',
  'security.password.close_explain':
    'With password sign-in closed, your password is refused even when typed correctly; you can sign in with e-signature, mobile signature, the ID card or online banking.',
  'security.password.open_explain':
    'You can open password sign-in again here, or get a new password at a post office or cable office; a new password opens it too.',
  'security.password.close': 'Close password sign-in',
  'security.password.open_button': 'Open password sign-in',
  'security.password.needs_signature': 'To close or open password sign-in you must be signed in with e-signature or mobile signature.',
  'security.password.sign_in_with_signature': 'Sign in with e-signature or mobile signature',
  'security.restrictions.heading': 'Access restrictions',
  'security.restrictions.lead': 'You can close a sign-in method you do not find safe. It stays closed until you choose "Open".',
  'security.restrictions.banking': 'Sign-in with online banking',
  'security.restrictions.open': 'Open',
  'security.restrictions.blocked': 'Closed',
  'security.restrictions.block': 'Close sign-in with online banking',
  'security.restrictions.unblock': 'Open sign-in with online banking',
  'security.restrictions.unblock_explain': 'For your security you may be asked to confirm who you are before it opens.',
  'security.notice.password_login_closed': 'Password sign-in is closed. Your other sessions have been ended.',
  'security.notice.password_login_opened': 'Password sign-in is open. Your other sessions have been ended.',
  'security.notice.bank_login_blocked': 'Sign-in with online banking is closed. Your other sessions have been ended.',
  'security.notice.bank_login_unblocked': 'Sign-in with online banking is open. Your other sessions have been ended.',
  'security.notice.unchanged': 'The setting already had this value; nothing was changed.',
  'security.notify.password_login_closed.sms':
    'Kapı: password sign-in to your account was closed on {when}. If this was not you, sign in with e-signature or mobile signature now.',
  'security.notify.password_login_closed.subject': 'Password sign-in closed',
  'security.notify.password_login_closed.mail':
    'Password sign-in to your account was closed on {when} and your other sessions were ended.\n\nIf this was not you, sign in with e-signature or mobile signature and check "Security and settings".',
  'security.notify.password_login_opened.sms':
    'Kapı: password sign-in to your account was opened on {when}. If this was not you, sign in with e-signature or mobile signature now.',
  'security.notify.password_login_opened.subject': 'Password sign-in opened',
  'security.notify.password_login_opened.mail':
    'Password sign-in to your account was opened on {when} and your other sessions were ended.\n\nIf this was not you, sign in with e-signature or mobile signature and close password sign-in again.',
  'security.notify.bank_login_blocked.sms': 'Kapı: sign-in with online banking to your account was closed on {when}.',
  'security.notify.bank_login_blocked.subject': 'Sign-in with online banking closed',
  'security.notify.bank_login_blocked.mail':
    'Sign-in with online banking to your account was closed on {when} and your other sessions were ended. It stays closed until you open it under "Access restrictions".',
  'security.notify.bank_login_unblocked.sms':
    'Kapı: sign-in with online banking to your account was opened on {when}. If this was not you, sign in and close it now.',
  'security.notify.bank_login_unblocked.subject': 'Sign-in with online banking opened',
  'security.notify.bank_login_unblocked.mail':
    'Sign-in with online banking to your account was opened on {when} and your other sessions were ended.\n\nIf this was not you, sign in and close it again under "Access restrictions".',
};

registerCatalog(tr, en);

declare module '../../../../i18n/index.js' {
  interface Catalogs {
    'src/web/account/pages/security/messages': typeof tr;
  }
}

/** What the person is told after each change of a security setting (`{when}`). */
export const SETTING_NOTIFICATION = {
  password_login_closed: {
    sms: 'security.notify.password_login_closed.sms',
    subject: 'security.notify.password_login_closed.subject',
    mail: 'security.notify.password_login_closed.mail',
  },
  password_login_opened: {
    sms: 'security.notify.password_login_opened.sms',
    subject: 'security.notify.password_login_opened.subject',
    mail: 'security.notify.password_login_opened.mail',
  },
  bank_login_blocked: {
    sms: 'security.notify.bank_login_blocked.sms',
    subject: 'security.notify.bank_login_blocked.subject',
    mail: 'security.notify.bank_login_blocked.mail',
  },
  bank_login_unblocked: {
    sms: 'security.notify.bank_login_unblocked.sms',
    subject: 'security.notify.bank_login_unblocked.subject',
    mail: 'security.notify.bank_login_unblocked.mail',
  },
} as const satisfies Record<SettingChangeName, Notification>;
