import { registerCatalog, type English } from '../../src/i18n/index.js';

// Passkeys' messages: the sign-in step, the account page, and the notifications of a passkey added or removed.
const tr = {
  'method.passkey': 'Geçiş anahtarı',
  'passkey.title': 'Geçiş anahtarı ile giriş',
  'passkey.lead':
    'Bu cihazda ya da telefonunuzda kayıtlı geçiş anahtarınızı seçin; cihazınız sizi PIN, desen ya da parmak izinizle doğrulayacak. Kimlik numarası yazmanız gerekmez.',
  'passkey.start': 'Geçiş anahtarımı kullan',
  'passkey.unsupported': 'Bu tarayıcı geçiş anahtarlarını desteklemiyor. Başka bir giriş yöntemi seçin.',
  'passkey.noscript': 'Geçiş anahtarı için tarayıcınızda JavaScript açık olmalıdır. Başka bir giriş yöntemi de seçebilirsiniz.',
  'passkey.not_allowed':
    'Geçiş anahtarı kullanılmadı: işlem iptal edildi, süresi doldu ya da bu cihazda Kapı için bir geçiş anahtarı yok. Yeniden deneyin ya da başka bir giriş yöntemi seçin.',
  'passkey.expired': 'Bu giriş isteğinin süresi doldu ya da daha önce kullanıldı. "Geçiş anahtarımı kullan" ile yeniden deneyin.',
  'passkey.unknown':
    'Bu geçiş anahtarı Kapı\'da kayıtlı değil (silinmiş olabilir). Başka bir giriş yöntemiyle girip "Geçiş Anahtarları" sayfasından yeniden ekleyebilirsiniz.',
  'passkey.refused': 'Geçiş anahtarı doğrulanamadı. Yeniden deneyin ya da başka bir giriş yöntemi seçin.',
  'account.nav.passkeys': 'Geçiş Anahtarları',
  'passkeys.title': 'Geçiş Anahtarları',
  'passkeys.lead':
    'Geçiş anahtarı, cihazınızın PIN, desen ya da parmak iziyle açtığı bir anahtardır: şifre yazmadan, "önemli" güvence düzeyinde giriş yapmanızı sağlar. İki aşamalı doğrulama açıksa ardından ikinci adım da istenir.',
  'passkeys.list.heading': 'Kayıtlı geçiş anahtarlarınız',
  'passkeys.list.none': 'Kayıtlı geçiş anahtarınız yok.',
  'passkeys.list.name': 'Ad',
  'passkeys.list.created': 'Eklendiği tarih',
  'passkeys.list.last_used': 'Son kullanım',
  'passkeys.list.actions': 'İşlemler',
  'passkeys.list.never': 'Henüz kullanılmadı',
  'passkeys.list.synced': 'Cihazlarınız arasında eşitlenir',
  'passkeys.list.device_bound': 'Yalnızca bu cihazda',
  'passkeys.rename.label': '{name} için yeni ad',
  'passkeys.rename.button': 'Adı değiştir',
  'passkeys.remove.label': '{name} geçiş anahtarını kaldır',
  'passkeys.remove.button': 'Kaldır',
  'passkeys.add.heading': 'Geçiş anahtarı ekle',
  'passkeys.add.name': 'Geçiş anahtarının adı',
  'passkeys.add.name_hint': 'Tanımanız için, örneğin "Dizüstü bilgisayarım" (en çok 60 karakter).',
  'passkeys.add.button': 'Geçiş anahtarı ekle',
  'passkeys.add.needs_strong': 'Geçiş anahtarı eklemek için son 5 dakika içinde en az "önemli" güvence düzeyinde giriş yapmış olmanız gerekir.',
  'passkeys.needs_strong': 'Geçiş anahtarı kaldırmak için son 5 dakika içinde en az "önemli" düzeyde ya da "yüksek" düzeyde giriş yapmış olmanız gerekir.',
  'passkeys.strong_link': 'Yeniden giriş yapın',
  'passkeys.create.title': 'Geçiş anahtarı oluşturun',
  'passkeys.create.lead': '"{name}" adlı geçiş anahtarını oluşturmak için düğmeye basın; cihazınız sizi PIN, desen ya da parmak izinizle doğrulayacak.',
  'passkeys.create.button': 'Geçiş anahtarını oluştur',
  'passkeys.create.cancel': 'Vazgeç',
  'passkeys.notice.registered': 'Geçiş anahtarı eklendi. Diğer oturumlarınız kapatıldı.',
  'passkeys.notice.removed': 'Geçiş anahtarı kaldırıldı. Diğer oturumlarınız kapatıldı.',
  'passkeys.notice.renamed': 'Geçiş anahtarının adı değiştirildi.',
  'passkeys.notice.in_use': 'Bu geçiş anahtarı zaten kayıtlı.',
  'passkeys.notice.unchanged': 'Değişiklik yok.',
  'passkeys.notice.not_allowed': 'Geçiş anahtarı oluşturulmadı: işlem iptal edildi ya da süresi doldu.',
  'passkeys.notice.refused': 'Geçiş anahtarı doğrulanamadı; eklenmedi. Cihazınızın kilit açma (PIN, desen ya da parmak izi) doğrulaması gerekir.',
  'passkeys.notice.expired': 'Bu ekleme isteğinin süresi doldu ya da daha önce kullanıldı. Yeniden deneyin.',
  'passkeys.notify.registered.sms': 'e-Devlet: hesabınıza {when} tarihinde "{name}" adlı geçiş anahtarı eklendi. Siz yapmadıysanız 160\'ı arayın.',
  'passkeys.notify.registered.subject': 'Hesabınıza geçiş anahtarı eklendi',
  'passkeys.notify.registered.mail':
    'e-Devlet hesabınıza {when} tarihinde "{name}" adlı bir geçiş anahtarı eklendi. Bu işlemi siz yapmadıysanız hemen 160\'ı arayın.',
  'passkeys.notify.removed.sms': 'e-Devlet: hesabınızdan {when} tarihinde "{name}" adlı geçiş anahtarı kaldırıldı. Siz yapmadıysanız 160\'ı arayın.',
  'passkeys.notify.removed.subject': 'Hesabınızdan geçiş anahtarı kaldırıldı',
  'passkeys.notify.removed.mail':
    'e-Devlet hesabınızdan {when} tarihinde "{name}" adlı geçiş anahtarı kaldırıldı. Bu işlemi siz yapmadıysanız hemen 160\'ı arayın.',
  'passkey.not_me.will': 'Bu girişte kullanılan geçiş anahtarı hesabınızdan kaldırılacak: onunla artık kimse giriş yapamaz.',
  'passkey.not_me.done': 'Bu girişte kullanılan geçiş anahtarı hesabınızdan kaldırıldı.',
  'passkey.not_me.added_will':
    'Bu girişten sonra hesabınıza eklenen geçiş anahtarları da kaldırılacak: girişi yapan kişi kendi anahtarını eklemiş olabilir. Sizin eklediklerinizi sonra yeniden ekleyebilirsiniz.',
  'passkey.not_me.added_done': 'Bu girişten sonra hesabınıza eklenen geçiş anahtarları da kaldırıldı.',
  'passkey.not_me.next.device':
    'Geçiş anahtarını bulunduğu yerden de silin: cihazınızın ayarlarından ya da kullandığınız şifre yöneticisinden (Google Şifre Yöneticisi, iCloud Anahtar Zinciri, 1Password gibi) Kapı için kayıtlı geçiş anahtarını kaldırın.',
  'passkey.not_me.next.synced':
    'Geçiş anahtarınızı eşitleyen hesaba (Google, Apple ya da şifre yöneticiniz) bağlı cihazları kontrol edin; tanımadığınız bir cihazı kaldırın ve o hesabın parolasını değiştirin.',
  'passkey.not_me.next.new':
    'Başka bir yöntemle (e-İmza, mobil imza, İnternet Bankacılığı ya da şifre) giriş yaptıktan sonra "Geçiş Anahtarları" sayfasından yeni bir geçiş anahtarı ekleyin.',
} as const;

const en: English<typeof tr> = {
  'method.passkey': 'Passkey',
  'passkey.title': 'Sign in with a passkey',
  'passkey.lead':
    'Choose your passkey saved on this device or your phone; your device will check it is you with its PIN, pattern or fingerprint. No identity number to type.',
  'passkey.start': 'Use my passkey',
  'passkey.unsupported': 'This browser does not support passkeys. Choose another sign-in method.',
  'passkey.noscript': 'Passkeys need JavaScript turned on in your browser. You can also choose another sign-in method.',
  'passkey.not_allowed':
    'No passkey was used: it was cancelled, it timed out, or this device has no passkey for Kapı. Try again or choose another sign-in method.',
  'passkey.expired': 'This sign-in request has expired or was already used. Try again with "Use my passkey".',
  'passkey.unknown': 'This passkey is not registered with Kapı (it may have been removed). Sign in another way and add it again on the "Passkeys" page.',
  'passkey.refused': 'The passkey could not be verified. Try again or choose another sign-in method.',
  'account.nav.passkeys': 'Passkeys',
  'passkeys.title': 'Passkeys',
  'passkeys.lead':
    'A passkey is a key your device unlocks with its PIN, pattern or fingerprint: it signs you in without a password, at the "substantial" level of assurance. With two-factor authentication on, a second step follows.',
  'passkeys.list.heading': 'Your passkeys',
  'passkeys.list.none': 'You have no passkeys.',
  'passkeys.list.name': 'Name',
  'passkeys.list.created': 'Added',
  'passkeys.list.last_used': 'Last used',
  'passkeys.list.actions': 'Actions',
  'passkeys.list.never': 'Not used yet',
  'passkeys.list.synced': 'Synced between your devices',
  'passkeys.list.device_bound': 'On this device only',
  'passkeys.rename.label': 'New name for {name}',
  'passkeys.rename.button': 'Rename',
  'passkeys.remove.label': 'Remove the passkey {name}',
  'passkeys.remove.button': 'Remove',
  'passkeys.add.heading': 'Add a passkey',
  'passkeys.add.name': 'Name of the passkey',
  'passkeys.add.name_hint': 'So you recognise it, for example "My laptop" (at most 60 characters).',
  'passkeys.add.button': 'Add a passkey',
  'passkeys.add.needs_strong': 'To add a passkey you must have signed in within the last 5 minutes at the "substantial" level of assurance or higher.',
  'passkeys.needs_strong':
    'To remove a passkey you must have signed in within the last 5 minutes at the "substantial" level or higher, or at the "high" level.',
  'passkeys.strong_link': 'Sign in again',
  'passkeys.create.title': 'Create your passkey',
  'passkeys.create.lead': 'Press the button to create the passkey "{name}"; your device will check it is you with its PIN, pattern or fingerprint.',
  'passkeys.create.button': 'Create the passkey',
  'passkeys.create.cancel': 'Cancel',
  'passkeys.notice.registered': 'The passkey was added. Your other sessions were ended.',
  'passkeys.notice.removed': 'The passkey was removed. Your other sessions were ended.',
  'passkeys.notice.renamed': 'The passkey was renamed.',
  'passkeys.notice.in_use': 'This passkey is already registered.',
  'passkeys.notice.unchanged': 'Nothing changed.',
  'passkeys.notice.not_allowed': 'No passkey was created: it was cancelled or timed out.',
  'passkeys.notice.refused': 'The passkey could not be verified and was not added. Your device must check it is you (PIN, pattern or fingerprint).',
  'passkeys.notice.expired': 'This request to add a passkey has expired or was already used. Try again.',
  'passkeys.notify.registered.sms': 'e-Devlet: the passkey "{name}" was added to your account on {when}. If it was not you, call 160.',
  'passkeys.notify.registered.subject': 'A passkey was added to your account',
  'passkeys.notify.registered.mail': 'The passkey "{name}" was added to your e-Devlet account on {when}. If you did not do this, call 160 at once.',
  'passkeys.notify.removed.sms': 'e-Devlet: the passkey "{name}" was removed from your account on {when}. If it was not you, call 160.',
  'passkeys.notify.removed.subject': 'A passkey was removed from your account',
  'passkeys.notify.removed.mail': 'The passkey "{name}" was removed from your e-Devlet account on {when}. If you did not do this, call 160 at once.',
  'passkey.not_me.will': 'The passkey used for this sign-in will be removed from your account: nobody can sign in with it any more.',
  'passkey.not_me.done': 'The passkey used for this sign-in was removed from your account.',
  'passkey.not_me.added_will':
    'Passkeys added to your account since this sign-in will be removed too: whoever signed in may have added one of their own. You can add yours again afterwards.',
  'passkey.not_me.added_done': 'The passkeys added to your account since this sign-in were removed too.',
  'passkey.not_me.next.device':
    'Delete the passkey where it is stored too: remove the passkey saved for Kapı in your device settings or in your password manager (such as Google Password Manager, iCloud Keychain or 1Password).',
  'passkey.not_me.next.synced':
    "Check the devices signed in to the account that syncs your passkeys (Google, Apple or your password manager); remove any device you do not know and change that account's password.",
  'passkey.not_me.next.new':
    'After signing in with another method (e-signature, mobile signature, online banking or a password), add a new passkey on the "Passkeys" page.',
};

registerCatalog(tr, en);

declare module '../../src/i18n/index.js' {
  interface Catalogs {
    'interactions/passkey/messages': typeof tr;
  }
}
