import type { Notification } from '../../../src/accounts/notifier.js';
import { registerCatalog, type English } from '../../../src/i18n/index.js';

const tr = {
  'account.nav.second_factors': 'İki Aşamalı Doğrulama',
  'second_factors.title': 'İki Aşamalı Doğrulama',
  'second_factors.two_factor.heading': 'İki aşamalı doğrulama',
  'second_factors.two_factor.on': 'Açık: her girişte ikinci bir aşama istenir.',
  'second_factors.two_factor.off': 'Kapalı.',
  'second_factors.two_factor.explain':
    'İkinci aşama kayıtlı cihazınızın onayıyla, kayıtlı cihazınız yoksa kimlik kartı ile doğrulanmış telefonunuza gelen SMS koduyla tamamlanır.',
  'second_factors.two_factor.turn_on': 'İki aşamalı doğrulamayı aç',
  'second_factors.two_factor.turn_off': 'İki aşamalı doğrulamayı kapat',
  'second_factors.two_factor.no_factor': 'Açmak için kimlik kartı ile doğrulanmış bir telefon numarası, kayıtlı bir cihaz veya e-Devlet Anahtarı gerekir.',
  'second_factors.reauth': 'Bu değişiklik için yeniden giriş yapmanız gerekir.',
  'second_factors.reauth_link': 'Yeniden giriş yap',
  'second_factors.totp.heading': 'e-Devlet Anahtarı',
  'second_factors.totp.active': 'Etkin. Şifreyle girişte uygulamadaki kod sorulur.',
  'second_factors.totp.inactive': 'Etkin değil.',
  'second_factors.totp.begin': 'e-Devlet Anahtarını etkinleştir',
  'second_factors.totp.deactivate': 'e-Devlet Anahtarını kaldır',
  'second_factors.totp.needs_strong':
    'e-Devlet Anahtarını kaldırmak için son beş dakika içinde ikinci aşamalı bir girişle ya da e-İmza, mobil imza veya kimlik kartı ile giriş yapmalısınız.',
  'second_factors.totp.strong_link': 'Yeniden giriş yap',
  'second_factors.reauth_factor':
    'İkinci aşama yöntemi eklemek veya kaldırmak için son beş dakika içinde ikinci aşamalı bir girişle (ya da e-İmza, mobil imza veya kimlik kartı ile) giriş yapmalısınız.',
  'second_factors.totp.setup_title': 'e-Devlet Anahtarını etkinleştirin',
  'second_factors.totp.setup_lead':
    'e-Devlet Anahtarı uygulamasıyla bu QR kodu okutun ya da anahtarı elle yazın. Ardından uygulamanın gösterdiği kodu girin; anahtar ancak ilk doğru koddan sonra etkin olur.',
  'second_factors.totp.qr_alt': 'e-Devlet Anahtarı için QR kod',
  'second_factors.totp.secret': 'Anahtar',
  'second_factors.totp.code': 'Uygulamadaki kod',
  'second_factors.totp.activate': 'Etkinleştir',
  'second_factors.devices.heading': 'Kayıtlı cihazlar',
  'second_factors.devices.none': 'Kayıtlı cihazınız yok. Cihazınızı e-Devlet uygulamasından kaydedebilirsiniz (iki aşamalı doğrulama açıkken).',
  'second_factors.devices.name': 'Cihaz',
  'second_factors.devices.registered': 'Kayıt tarihi',
  'second_factors.devices.last_used': 'Son kullanım',
  'second_factors.devices.never': 'Hiç kullanılmadı',
  'second_factors.devices.delete': 'Sil',
  'second_factors.devices.delete_label': '{name} cihazını sil',
  'second_factors.notice.two_factor_on': 'İki aşamalı doğrulama açıldı.',
  'second_factors.notice.two_factor_off': 'İki aşamalı doğrulama kapatıldı.',
  'second_factors.notice.totp_activated': 'e-Devlet Anahtarı etkinleştirildi.',
  'second_factors.notice.totp_deactivated': 'e-Devlet Anahtarı kaldırıldı.',
  'second_factors.notice.device_deleted': 'Cihaz silindi.',
  'second_factors.notice.unchanged': 'Değişiklik yok.',
  'second_factors.notice.no_factor': 'İki aşamalı doğrulama için önce bir ikinci aşama yöntemi gerekir.',
  'second_factors.error.code_wrong': 'Kod doğru değil. Uygulamadaki güncel kodu yazın.',
  'second_factors.error.locked': 'Çok fazla hatalı deneme. Bir süre sonra yeniden deneyin.',
  'second_factors.notify.two_factor_on.sms': 'e-Devlet: iki aşamalı doğrulama {when} tarihinde açıldı.',
  'second_factors.notify.two_factor_on.subject': 'İki aşamalı doğrulama açıldı',
  'second_factors.notify.two_factor_on.mail':
    "e-Devlet hesabınızda iki aşamalı doğrulama {when} tarihinde açıldı. Bu işlemi siz yapmadıysanız hemen 160'ı arayın.",
  'second_factors.notify.two_factor_off.sms': "e-Devlet: iki aşamalı doğrulama {when} tarihinde kapatıldı. Siz yapmadıysanız 160'ı arayın.",
  'second_factors.notify.two_factor_off.subject': 'İki aşamalı doğrulama kapatıldı',
  'second_factors.notify.two_factor_off.mail':
    "e-Devlet hesabınızda iki aşamalı doğrulama {when} tarihinde kapatıldı. Bu işlemi siz yapmadıysanız hemen 160'ı arayın.",
  'second_factors.notify.totp_activated.sms': 'e-Devlet: e-Devlet Anahtarı {when} tarihinde etkinleştirildi.',
  'second_factors.notify.totp_activated.subject': 'e-Devlet Anahtarı etkinleştirildi',
  'second_factors.notify.totp_activated.mail': "e-Devlet Anahtarınız {when} tarihinde etkinleştirildi. Bu işlemi siz yapmadıysanız hemen 160'ı arayın.",
  'second_factors.notify.totp_deactivated.sms': 'e-Devlet: e-Devlet Anahtarı {when} tarihinde kaldırıldı.',
  'second_factors.notify.totp_deactivated.subject': 'e-Devlet Anahtarı kaldırıldı',
  'second_factors.notify.totp_deactivated.mail': "e-Devlet Anahtarınız {when} tarihinde kaldırıldı. Bu işlemi siz yapmadıysanız hemen 160'ı arayın.",
  'second_factors.notify.device_registered.sms': 'e-Devlet: "{name}" cihazı {when} tarihinde kayıtlı cihaz oldu.',
  'second_factors.notify.device_registered.subject': 'Yeni kayıtlı cihaz',
  'second_factors.notify.device_registered.mail':
    '"{name}" cihazı {when} tarihinde e-Devlet hesabınıza kayıtlı cihaz olarak eklendi. Bu işlemi siz yapmadıysanız cihazı Kayıtlı Cihazlar sayfasından silin ve 160\'ı arayın.',
  'second_factors.notify.device_deleted.sms': 'e-Devlet: "{name}" cihazı {when} tarihinde silindi.',
  'second_factors.notify.device_deleted.subject': 'Kayıtlı cihaz silindi',
  'second_factors.notify.device_deleted.mail': '"{name}" cihazı {when} tarihinde e-Devlet hesabınızın kayıtlı cihazlarından silindi.',
} as const;

const en: English<typeof tr> = {
  'account.nav.second_factors': 'Two-Factor Authentication',
  'second_factors.title': 'Two-Factor Authentication',
  'second_factors.two_factor.heading': 'Two-factor authentication',
  'second_factors.two_factor.on': 'On: every sign-in asks for a second stage.',
  'second_factors.two_factor.off': 'Off.',
  'second_factors.two_factor.explain':
    'The second stage is an approval on your registered device or, without one, an SMS code to your phone verified with your ID card.',
  'second_factors.two_factor.turn_on': 'Turn two-factor authentication on',
  'second_factors.two_factor.turn_off': 'Turn two-factor authentication off',
  'second_factors.two_factor.no_factor': 'To turn it on you need a phone verified with your ID card, a registered device or the e-Government Key.',
  'second_factors.reauth': 'This change needs you to sign in again.',
  'second_factors.reauth_link': 'Sign in again',
  'second_factors.totp.heading': 'e-Government Key',
  'second_factors.totp.active': 'Active. A password sign-in asks for the code of the app.',
  'second_factors.totp.inactive': 'Not active.',
  'second_factors.totp.begin': 'Activate the e-Government Key',
  'second_factors.totp.deactivate': 'Remove the e-Government Key',
  'second_factors.totp.needs_strong':
    'To remove the e-Government Key, sign in with a second stage within the last five minutes, or with e-signature, mobile signature or ID card.',
  'second_factors.totp.strong_link': 'Sign in again',
  'second_factors.reauth_factor':
    'Adding or removing a second-stage method needs a sign-in with a second stage (or with e-signature, mobile signature or ID card) within the last five minutes.',
  'second_factors.totp.setup_title': 'Activate the e-Government Key',
  'second_factors.totp.setup_lead':
    'Scan this QR code with the e-Government Key app or type the key. Then enter the code the app shows; the key is active only after the first valid code.',
  'second_factors.totp.qr_alt': 'QR code for the e-Government Key',
  'second_factors.totp.secret': 'Key',
  'second_factors.totp.code': 'Code from the app',
  'second_factors.totp.activate': 'Activate',
  'second_factors.devices.heading': 'Registered devices',
  'second_factors.devices.none': 'You have no registered device. Register your device from the e-Government app (with two-factor authentication on).',
  'second_factors.devices.name': 'Device',
  'second_factors.devices.registered': 'Registered',
  'second_factors.devices.last_used': 'Last used',
  'second_factors.devices.never': 'Never used',
  'second_factors.devices.delete': 'Delete',
  'second_factors.devices.delete_label': 'Delete the device {name}',
  'second_factors.notice.two_factor_on': 'Two-factor authentication is on.',
  'second_factors.notice.two_factor_off': 'Two-factor authentication is off.',
  'second_factors.notice.totp_activated': 'The e-Government Key is active.',
  'second_factors.notice.totp_deactivated': 'The e-Government Key was removed.',
  'second_factors.notice.device_deleted': 'The device was deleted.',
  'second_factors.notice.unchanged': 'Nothing changed.',
  'second_factors.notice.no_factor': 'Two-factor authentication first needs a second-stage method.',
  'second_factors.error.code_wrong': 'The code is not correct. Type the current code of the app.',
  'second_factors.error.locked': 'Too many wrong attempts. Try again later.',
  'second_factors.notify.two_factor_on.sms': 'e-Government: two-factor authentication was turned on at {when}.',
  'second_factors.notify.two_factor_on.subject': 'Two-factor authentication turned on',
  'second_factors.notify.two_factor_on.mail':
    'Two-factor authentication was turned on for your e-Government account at {when}. If this was not you, call 160 at once.',
  'second_factors.notify.two_factor_off.sms': 'e-Government: two-factor authentication was turned off at {when}. If this was not you, call 160.',
  'second_factors.notify.two_factor_off.subject': 'Two-factor authentication turned off',
  'second_factors.notify.two_factor_off.mail':
    'Two-factor authentication was turned off for your e-Government account at {when}. If this was not you, call 160 at once.',
  'second_factors.notify.totp_activated.sms': 'e-Government: the e-Government Key was activated at {when}.',
  'second_factors.notify.totp_activated.subject': 'e-Government Key activated',
  'second_factors.notify.totp_activated.mail': 'Your e-Government Key was activated at {when}. If this was not you, call 160 at once.',
  'second_factors.notify.totp_deactivated.sms': 'e-Government: the e-Government Key was removed at {when}.',
  'second_factors.notify.totp_deactivated.subject': 'e-Government Key removed',
  'second_factors.notify.totp_deactivated.mail': 'Your e-Government Key was removed at {when}. If this was not you, call 160 at once.',
  'second_factors.notify.device_registered.sms': 'e-Government: "{name}" became your registered device at {when}.',
  'second_factors.notify.device_registered.subject': 'New registered device',
  'second_factors.notify.device_registered.mail':
    'The device "{name}" was registered to your e-Government account at {when}. If this was not you, delete it on the Registered Devices page and call 160.',
  'second_factors.notify.device_deleted.sms': 'e-Government: the device "{name}" was deleted at {when}.',
  'second_factors.notify.device_deleted.subject': 'Registered device deleted',
  'second_factors.notify.device_deleted.mail': 'The device "{name}" was removed from the registered devices of your e-Government account at {when}.',
};

registerCatalog(tr, en);

declare module '../../../src/i18n/index.js' {
  interface Catalogs {
    'interactions/second-factor/account/messages': typeof tr;
  }
}

/** What the person is told after each change of her second factors (`{when}`; `{name}`: a device's). */
export const FACTOR_NOTIFICATION = {
  two_factor_on: {
    sms: 'second_factors.notify.two_factor_on.sms',
    subject: 'second_factors.notify.two_factor_on.subject',
    mail: 'second_factors.notify.two_factor_on.mail',
  },
  two_factor_off: {
    sms: 'second_factors.notify.two_factor_off.sms',
    subject: 'second_factors.notify.two_factor_off.subject',
    mail: 'second_factors.notify.two_factor_off.mail',
  },
  totp_activated: {
    sms: 'second_factors.notify.totp_activated.sms',
    subject: 'second_factors.notify.totp_activated.subject',
    mail: 'second_factors.notify.totp_activated.mail',
  },
  totp_deactivated: {
    sms: 'second_factors.notify.totp_deactivated.sms',
    subject: 'second_factors.notify.totp_deactivated.subject',
    mail: 'second_factors.notify.totp_deactivated.mail',
  },
  device_deleted: {
    sms: 'second_factors.notify.device_deleted.sms',
    subject: 'second_factors.notify.device_deleted.subject',
    mail: 'second_factors.notify.device_deleted.mail',
  },
  device_registered: {
    sms: 'second_factors.notify.device_registered.sms',
    subject: 'second_factors.notify.device_registered.subject',
    mail: 'second_factors.notify.device_registered.mail',
  },
} as const satisfies Record<string, Notification>;
