import { registerCatalog, type English } from '../../i18n/index.js';

const tr = {
  'account.nav.label': 'Hesabım',
  'account.nav.overview': 'Genel bakış',
  'account.sign_out': 'Çıkış yap',
  'account.sign_in': 'Giriş yap',
  'account.home.title': 'Hesabım',
  'account.home.greeting': 'Hoş geldiniz, {name}.',
  'account.home.level': 'Oturumun güvence düzeyi',
  'account.home.methods': 'Giriş yöntemi',
  'account.home.signed_in_at': 'Giriş zamanı',
  'account.stronger.title': 'Daha güçlü bir giriş gerekiyor',
  'account.stronger.acr': 'Bu işlem için en az "{level}" güvence düzeyinde giriş yapmış olmanız gerekir.',
  'account.stronger.methods': 'Bu işlem yalnızca şu yöntemlerden biriyle giriş yapılmış bir oturumda yapılabilir: {methods}.',
  'account.stronger.fresh': 'Güvenliğiniz için bu işlemden önce kimliğinizi yeniden doğrulamanız gerekir.',
  'account.stronger.sign_in': 'Yeniden giriş yap',
  'account.stronger.back': 'Hesabıma dön',
  'account.signed_out.title': 'Oturum kapalı',
  'account.signed_out.body': 'Çıkış yaptınız.',
  'account.session_ended': 'Oturumunuz sona erdi; hiçbir değişiklik yapılmadı. Lütfen yeniden giriş yapın.',
  'account.login_not_started': 'Bu giriş bu tarayıcıda başlatılmamış ya da süresi dolmuş. Lütfen yeniden deneyin.',
  'account.login_cancelled': 'Giriş iptal edildi.',
  'account.login_failed': 'Giriş tamamlanamadı. Lütfen yeniden deneyin.',
  'account.switched.title': 'Farklı bir kişi olarak giriş yaptınız',
  'account.switched.body':
    'Bu tarayıcıda şimdi {name} olarak giriş yaptınız. Kimliğini doğrulamanız istenen kişi değil, başka bir kişi olarak giriş yapıldı; bu yeni bir oturumdur.',
  'account.switched.previous':
    'Bu tarayıcıda açık olan önceki kişinin oturumu kapatıldı; o kişinin yapmak istediği işleme devam edilmedi ve hesabında hiçbir şey değiştirilmedi.',
  'account.switched.continue': '{name} olarak devam et',
} as const;

const en: English<typeof tr> = {
  'account.nav.label': 'My account',
  'account.nav.overview': 'Overview',
  'account.sign_out': 'Sign out',
  'account.sign_in': 'Sign in',
  'account.home.title': 'My account',
  'account.home.greeting': 'Welcome, {name}.',
  'account.home.level': 'Level of assurance of this session',
  'account.home.methods': 'Signed in with',
  'account.home.signed_in_at': 'Signed in at',
  'account.stronger.title': 'A stronger sign-in is needed',
  'account.stronger.acr': 'This needs a sign-in at level "{level}" or higher.',
  'account.stronger.methods': 'This can only be done in a session signed in with one of: {methods}.',
  'account.stronger.fresh': 'For your security, confirm who you are again before doing this.',
  'account.stronger.sign_in': 'Sign in again',
  'account.stronger.back': 'Back to my account',
  'account.signed_out.title': 'Signed out',
  'account.signed_out.body': 'You have signed out.',
  'account.session_ended': 'Your session has ended; nothing was changed. Please sign in again.',
  'account.login_not_started': 'This sign-in was not started in this browser, or it expired. Please try again.',
  'account.login_cancelled': 'The sign-in was cancelled.',
  'account.login_failed': 'The sign-in did not complete. Please try again.',
  'account.switched.title': 'You signed in as a different person',
  'account.switched.body':
    'You are now signed in as {name} in this browser. The sign-in was not the person who was asked to confirm who they are, but someone else: this is a new session.',
  'account.switched.previous':
    'The session of the person who was signed in here before has been closed; what they were about to do was not continued, and nothing in their account was changed.',
  'account.switched.continue': 'Continue as {name}',
};

registerCatalog(tr, en);

declare module '../../i18n/index.js' {
  interface Catalogs {
    'src/web/account/messages': typeof tr;
  }
}
