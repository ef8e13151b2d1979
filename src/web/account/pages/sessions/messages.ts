import type { Notification } from '../../../../accounts/notifier.js';
import { registerCatalog, type English } from '../../../../i18n/index.js';

const tr = {
  'account.nav.sessions': 'Oturumlarım',
  'sessions.title': 'Oturumlarım',
  'sessions.lead': 'Kapı’da açık olan oturumlarınız. Tanımadığınız bir oturumu sonlandırın; o oturumla giriş yapılan kurumlara da çıkış bildirilir.',
  'sessions.this_browser': 'bu tarayıcı',
  'sessions.methods': 'Giriş yöntemi',
  'sessions.level': 'Güvence düzeyi',
  'sessions.signed_in_at': 'Giriş zamanı',
  'sessions.ip': 'IP adresi',
  'sessions.institutions': 'Giriş yapılan kurumlar',
  'sessions.no_institutions': 'yok',
  'sessions.end': 'Bu oturumu sonlandır',
  'sessions.end_this': 'Bu tarayıcıda çıkış yap',
  'sessions.notice.ended': 'Oturum sonlandırıldı.',
  'sessions.everywhere.heading': 'Tüm oturumlardan çıkış',
  'sessions.everywhere.lead': 'Bu tarayıcı dahil bütün oturumlarınız kapanır ve giriş yaptığınız bütün kurumlara çıkış bildirilir.',
  'sessions.everywhere.button': 'Her yerden çıkış yap',
  'sessions.signed_out_everywhere': 'Bütün oturumlarınız kapatıldı ve giriş yaptığınız kurumlara çıkış bildirildi.',
  'sessions.notify.signed_out_everywhere.sms': 'Kapı: Bütün oturumlarınızdan çıkış yapıldı ({sessions} oturum).',
  'sessions.notify.signed_out_everywhere.subject': 'Bütün oturumlarınızdan çıkış yapıldı',
  'sessions.notify.signed_out_everywhere.mail':
    'Bütün oturumlarınızdan çıkış yapıldı ({sessions} oturum) ve giriş yaptığınız kurumlara çıkış bildirildi. Bu işlemi siz yapmadıysanız şifrenizi değiştirin.',
} as const;

const en: English<typeof tr> = {
  'account.nav.sessions': 'My sessions',
  'sessions.title': 'My sessions',
  'sessions.lead': 'Your open sessions in Kapı. End any session you do not recognise; the institutions signed in through it are told too.',
  'sessions.this_browser': 'this browser',
  'sessions.methods': 'Signed in with',
  'sessions.level': 'Level of assurance',
  'sessions.signed_in_at': 'Signed in at',
  'sessions.ip': 'IP address',
  'sessions.institutions': 'Institutions signed in to',
  'sessions.no_institutions': 'none',
  'sessions.end': 'End this session',
  'sessions.end_this': 'Sign out in this browser',
  'sessions.notice.ended': 'The session has been ended.',
  'sessions.everywhere.heading': 'Sign out everywhere',
  'sessions.everywhere.lead': 'Every session ends, this browser’s included, and every institution you signed in to is told.',
  'sessions.everywhere.button': 'Sign out everywhere',
  'sessions.signed_out_everywhere': 'All your sessions have ended and the institutions you signed in to have been told.',
  'sessions.notify.signed_out_everywhere.sms': 'Kapı: you were signed out of all your sessions ({sessions}).',
  'sessions.notify.signed_out_everywhere.subject': 'Signed out everywhere',
  'sessions.notify.signed_out_everywhere.mail':
    'You were signed out of all your sessions ({sessions}) and the institutions you signed in to were told. If this was not you, change your password.',
};

registerCatalog(tr, en);

declare module '../../../../i18n/index.js' {
  interface Catalogs {
    'src/web/account/pages/sessions/messages': typeof tr;
  }
}

/** The person signed out everywhere (`{sessions}`: how many ended). */
export const SIGNED_OUT_EVERYWHERE: Notification = {
  sms: 'sessions.notify.signed_out_everywhere.sms',
  subject: 'sessions.notify.signed_out_everywhere.subject',
  mail: 'sessions.notify.signed_out_everywhere.mail',
};
