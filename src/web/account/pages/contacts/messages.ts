import type { PasswordResetMethod } from '../../../../accounts/account.js';
import type { Notification } from '../../../../accounts/notifier.js';
import { registerCatalog, type English, type MessageKey } from '../../../../i18n/index.js';

const tr = {
  'account.nav.contacts': 'İletişim tercihlerim',
  'contacts.title': 'İletişim tercihlerim',
  'contacts.lead':
    'Cep telefonunuz ve e-posta adresiniz doğrulandıktan sonra "Şifremi unuttum" ve hesap bildirimleri için kullanılır; izniniz olmadan kimseyle paylaşılmaz.',
  'contacts.phone': 'Cep telefonu',
  'contacts.email': 'E-posta adresi',
  'contacts.none': 'Kayıtlı değil',
  'contacts.verified': 'Doğrulandı',
  'contacts.verified_level': 'Doğrulandı ("{level}" düzeyinde bir oturumda)',
  'contacts.unverified': 'Doğrulanmadı',
  'contacts.phone_hint': 'Örnek: 0532 111 22 33. Yurt dışı numaralarını + ve ülke koduyla yazın.',
  'contacts.update': 'Güncelle',
  'contacts.delete_phone': 'Cep telefonunu sil',
  'contacts.delete_email': 'E-posta adresini sil',
  'contacts.code_label_phone': 'Telefonunuza gönderilen doğrulama kodu',
  'contacts.code_label_email': 'E-posta adresinize gönderilen doğrulama kodu',
  'contacts.verify': 'Doğrula',
  'contacts.send_phone': 'Cep telefonumu şimdi doğrula (kod gönder)',
  'contacts.send_email': 'E-posta adresimi şimdi doğrula (kod gönder)',
  'contacts.reauth': 'İletişim bilgilerinizi eklemek, değiştirmek ya da silmek için önce kimliğinizi yeniden doğrulamanız gerekir.',
  'contacts.reauth_link': 'Kimliğimi doğrula',
  'contacts.reset.heading': 'Şifre yenileme yöntemi',
  'contacts.reset.lead': '"Şifremi unuttum" ile şifrenizi yenilerken güvenlik kodu nereye gönderilsin?',
  'contacts.reset.phone': 'Yalnızca cep telefonuma',
  'contacts.reset.phone_and_email': 'Cep telefonuma ve e-posta adresime (ikisi de gerekir)',
  'contacts.reset.save': 'Yöntemi kaydet',
  'contacts.info.heading': 'Kimlik ve adres bilgilerim',
  'contacts.info.lead':
    'Ad, soyad ve adres bilgileriniz Adrese Dayalı Nüfus Kayıt Sistemi’nden alınır. Adresiniz değiştiyse "Bilgilerimi yenile" düğmesine basın.',
  'contacts.info.name': 'Ad soyad',
  'contacts.info.address': 'Adres',
  'contacts.info.no_address': 'Türkiye’de kayıtlı adresiniz yok.',
  'contacts.info.refresh': 'Bilgilerimi yenile',
  'contacts.notice.phone_code_sent': 'Cep telefonunuza bir doğrulama kodu gönderdik. Kodu aşağıya yazın.',
  'contacts.notice.email_code_sent': 'E-posta adresinize bir doğrulama kodu gönderdik. Kodu aşağıya yazın.',
  'contacts.notice.phone_verified': 'Cep telefonunuz doğrulandı.',
  'contacts.notice.email_verified': 'E-posta adresiniz doğrulandı.',
  'contacts.notice.phone_deleted': 'Cep telefonunuz silindi. Diğer oturumlarınız sonlandırıldı.',
  'contacts.notice.email_deleted': 'E-posta adresiniz silindi. Diğer oturumlarınız sonlandırıldı.',
  'contacts.notice.reset_method_saved': 'Şifre yenileme yönteminiz kaydedildi. Diğer oturumlarınız sonlandırıldı.',
  'contacts.notice.refreshed': 'Bilgileriniz nüfus kayıtlarından yenilendi.',
  'contacts.notice.unchanged': 'Bir değişiklik yapılmadı.',
  'contacts.pending': 'Doğrulama bekleyen yeni bilgi: {value}. Kodu yazıp doğrulayana kadar yukarıdaki doğrulanmış bilginiz kullanılmaya devam eder.',
  'contacts.cancel_phone': 'Bu telefon değişikliğinden vazgeç',
  'contacts.cancel_email': 'Bu e-posta değişikliğinden vazgeç',
  'contacts.notice.phone_changed': 'Yeni cep telefonunuz doğrulandı ve eskisinin yerini aldı. Diğer oturumlarınız sonlandırıldı.',
  'contacts.notice.email_changed': 'Yeni e-posta adresiniz doğrulandı ve eskisinin yerini aldı. Diğer oturumlarınız sonlandırıldı.',
  'contacts.notice.phone_cancelled': 'Telefon değişikliğinden vazgeçildi; doğrulanmış telefonunuz aynen kullanılıyor.',
  'contacts.notice.email_cancelled': 'E-posta değişikliğinden vazgeçildi; doğrulanmış e-posta adresiniz aynen kullanılıyor.',
  'contacts.notify.change_requested.sms':
    'Kapı: Hesabınızdaki {what} bilgisinin {when} tarihinde değiştirilmesi istendi. Yeni bilgi doğrulanana kadar bu bilgi kullanılmaya devam eder. Bu isteği siz yapmadıysanız giriş yapıp değişiklikten vazgeçin.',
  'contacts.notify.change_requested.subject': 'İletişim bilginizin değiştirilmesi istendi',
  'contacts.notify.change_requested.mail':
    'Hesabınızdaki {what} bilgisinin {when} tarihinde değiştirilmesi istendi. Yeni bilgi kendisine gönderilen kodla doğrulanana kadar bu bilgi kullanılmaya devam eder.\n\nBu isteği siz yapmadıysanız giriş yapıp "İletişim tercihlerim" sayfasında değişiklikten vazgeçin ve giriş geçmişinizi kontrol edin.',
  'contacts.error.phone_missing': 'Cep telefonu numaranızı yazın.',
  'contacts.error.phone_invalid': 'Bu bir cep telefonu numarası değil. Örnek: 0532 111 22 33.',
  'contacts.error.email_missing': 'E-posta adresinizi yazın.',
  'contacts.error.email_invalid': 'Bu bir e-posta adresi değil. Örnek: ad.soyad@example.org.',
  'contacts.error.code_format': 'Doğrulama kodu 6 rakamdan oluşur.',
  'contacts.error.code_wrong': 'Doğrulama kodu doğru değil.',
  'contacts.error.code_gone': 'Doğrulama kodunun süresi doldu ya da kullanıldı. Yeni bir kod isteyin.',
  'contacts.error.code_too_many': 'Çok fazla yanlış kod girildi. Yeni bir kod isteyin.',
  'contacts.error.too_many_codes': 'Çok fazla kod istendi. Yaklaşık {minutes} dakika sonra yeniden deneyin.',
  'contacts.error.reset_needs_email': 'Bu yöntem için önce e-posta adresinizi doğrulayın.',
  'contacts.code.sms': 'Kapı doğrulama kodunuz: {code}. {minutes} dakika geçerlidir. Kodu kimseyle paylaşmayın.',
  'contacts.code.subject': 'Kapı doğrulama kodunuz',
  'contacts.code.mail':
    'E-posta adresinizi doğrulamak için kodunuz: {code}\n\nKod {minutes} dakika geçerlidir. Bu isteği siz yapmadıysanız bu iletiyi dikkate almayın.',
  'contacts.notify.changed.sms':
    'Kapı: Hesabınızdaki {what} bilgisi {when} tarihinde değiştirildi. Bu işlemi siz yapmadıysanız hemen e-İmza veya mobil imza ile giriş yapın.',
  'contacts.notify.changed.subject': 'İletişim bilgileriniz değişti',
  'contacts.notify.changed.mail':
    'Hesabınızdaki {what} bilgisi {when} tarihinde değiştirildi.\n\nBu işlemi siz yapmadıysanız hemen e-İmza veya mobil imza ile giriş yapıp "İletişim tercihlerim" sayfasını kontrol edin.',
} as const;

const en: English<typeof tr> = {
  'account.nav.contacts': 'My contact options',
  'contacts.title': 'My contact options',
  'contacts.lead':
    'Once verified, your mobile phone and e-mail address are used for "Forgot my password" and for notices about your account; they are never shared without your consent.',
  'contacts.phone': 'Mobile phone',
  'contacts.email': 'E-mail address',
  'contacts.none': 'Not recorded',
  'contacts.verified': 'Verified',
  'contacts.verified_level': 'Verified (in a session at level "{level}")',
  'contacts.unverified': 'Not verified',
  'contacts.phone_hint': 'For example 0532 111 22 33. Write numbers abroad with + and the country code.',
  'contacts.update': 'Update',
  'contacts.delete_phone': 'Delete the mobile phone',
  'contacts.delete_email': 'Delete the e-mail address',
  'contacts.code_label_phone': 'Verification code sent to your phone',
  'contacts.code_label_email': 'Verification code sent to your e-mail',
  'contacts.verify': 'Verify',
  'contacts.send_phone': 'Verify my mobile phone now (send a code)',
  'contacts.send_email': 'Verify my e-mail address now (send a code)',
  'contacts.reauth': 'To add, change or delete contact information, confirm who you are first.',
  'contacts.reauth_link': 'Confirm who I am',
  'contacts.reset.heading': 'Password reset method',
  'contacts.reset.lead': 'Where should "Forgot my password" send its security codes?',
  'contacts.reset.phone': 'To my mobile phone only',
  'contacts.reset.phone_and_email': 'To my mobile phone and my e-mail address (both needed)',
  'contacts.reset.save': 'Save the method',
  'contacts.info.heading': 'My identity and address',
  'contacts.info.lead':
    'Your name and address come from the Address Based Population Registration System. If your address changed, press "Refresh my information".',
  'contacts.info.name': 'Name',
  'contacts.info.address': 'Address',
  'contacts.info.no_address': 'You have no registered address in Türkiye.',
  'contacts.info.refresh': 'Refresh my information',
  'contacts.notice.phone_code_sent': 'We sent a verification code to your mobile phone. Type it below.',
  'contacts.notice.email_code_sent': 'We sent a verification code to your e-mail address. Type it below.',
  'contacts.notice.phone_verified': 'Your mobile phone is verified.',
  'contacts.notice.email_verified': 'Your e-mail address is verified.',
  'contacts.notice.phone_deleted': 'Your mobile phone was deleted. Your other sessions have been ended.',
  'contacts.notice.email_deleted': 'Your e-mail address was deleted. Your other sessions have been ended.',
  'contacts.notice.reset_method_saved': 'Your password reset method is saved. Your other sessions have been ended.',
  'contacts.notice.refreshed': 'Your information was refreshed from the population registry.',
  'contacts.notice.unchanged': 'Nothing was changed.',
  'contacts.pending': 'New, waiting for its code: {value}. Your verified one above stays in use until you type the code.',
  'contacts.cancel_phone': 'Cancel this phone change',
  'contacts.cancel_email': 'Cancel this e-mail change',
  'contacts.notice.phone_changed': 'Your new mobile phone is verified and has replaced the old one. Your other sessions have been ended.',
  'contacts.notice.email_changed': 'Your new e-mail address is verified and has replaced the old one. Your other sessions have been ended.',
  'contacts.notice.phone_cancelled': 'The phone change is cancelled; your verified phone stays in use.',
  'contacts.notice.email_cancelled': 'The e-mail change is cancelled; your verified e-mail address stays in use.',
  'contacts.notify.change_requested.sms':
    'Kapı: a change of the {what} of your account was asked for on {when}. This one stays in use until the new one is verified. If this was not you, sign in and cancel the change.',
  'contacts.notify.change_requested.subject': 'A change of your contact details was asked for',
  'contacts.notify.change_requested.mail':
    'A change of the {what} of your account was asked for on {when}. This one stays in use until the new one is verified with the code sent to it.\n\nIf this was not you, sign in, cancel the change on the "My contact options" page and check your login history.',
  'contacts.error.phone_missing': 'Type your mobile phone number.',
  'contacts.error.phone_invalid': 'This is not a mobile phone number. For example 0532 111 22 33.',
  'contacts.error.email_missing': 'Type your e-mail address.',
  'contacts.error.email_invalid': 'This is not an e-mail address. For example name.surname@example.org.',
  'contacts.error.code_format': 'The verification code has 6 digits.',
  'contacts.error.code_wrong': 'The verification code is not right.',
  'contacts.error.code_gone': 'The verification code has expired or was already used. Ask for a new one.',
  'contacts.error.code_too_many': 'Too many wrong codes. Ask for a new one.',
  'contacts.error.too_many_codes': 'Too many codes were asked for. Try again in about {minutes} minutes.',
  'contacts.error.reset_needs_email': 'Verify your e-mail address first to use this method.',
  'contacts.code.sms': 'Your Kapı verification code: {code}. Valid for {minutes} minutes. Do not share it with anyone.',
  'contacts.code.subject': 'Your Kapı verification code',
  'contacts.code.mail': 'Your code to verify this e-mail address: {code}\n\nIt is valid for {minutes} minutes. If you did not ask for it, ignore this message.',
  'contacts.notify.changed.sms':
    'Kapı: the {what} of your account was changed on {when}. If this was not you, sign in with e-signature or mobile signature now.',
  'contacts.notify.changed.subject': 'Your contact information changed',
  'contacts.notify.changed.mail':
    'The {what} of your account was changed on {when}.\n\nIf this was not you, sign in with e-signature or mobile signature now and check "My contact options".',
};

registerCatalog(tr, en);

declare module '../../../../i18n/index.js' {
  interface Catalogs {
    'src/web/account/pages/contacts/messages': typeof tr;
  }
}

/** Each contact's words: its name, the labels of its code field and buttons, its form's errors. */
export const CONTACT_TEXT = {
  phone: {
    name: 'contacts.phone',
    codeLabel: 'contacts.code_label_phone',
    send: 'contacts.send_phone',
    cancel: 'contacts.cancel_phone',
    delete: 'contacts.delete_phone',
    missing: 'contacts.error.phone_missing',
    invalid: 'contacts.error.phone_invalid',
  },
  email: {
    name: 'contacts.email',
    codeLabel: 'contacts.code_label_email',
    send: 'contacts.send_email',
    cancel: 'contacts.cancel_email',
    delete: 'contacts.delete_email',
    missing: 'contacts.error.email_missing',
    invalid: 'contacts.error.email_invalid',
  },
} as const satisfies Record<'phone' | 'email', Record<'name' | 'codeLabel' | 'send' | 'cancel' | 'delete' | 'missing' | 'invalid', MessageKey>>;

/** The name of each way a password can be reset. */
export const RESET_METHOD_TEXT = {
  phone: 'contacts.reset.phone',
  phone_and_email: 'contacts.reset.phone_and_email',
} as const satisfies Record<PasswordResetMethod, MessageKey>;

/** A verified contact changed (`{when}`, `{what}`). */
export const CONTACT_CHANGED: Notification = {
  sms: 'contacts.notify.changed.sms',
  subject: 'contacts.notify.changed.subject',
  mail: 'contacts.notify.changed.mail',
};
/** A verified contact is about to change: the new one waits for its code (`{when}`, `{what}`). */
export const CONTACT_CHANGE_REQUESTED: Notification = {
  sms: 'contacts.notify.change_requested.sms',
  subject: 'contacts.notify.change_requested.subject',
  mail: 'contacts.notify.change_requested.mail',
};
