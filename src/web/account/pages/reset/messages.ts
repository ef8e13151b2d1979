import { registerCatalog, type English } from '../../../../i18n/index.js';

const tr = {
  'reset.link': 'Şifremi unuttum',
  'reset.title': 'Şifremi unuttum',
  'reset.lead':
    'Şifrenizi yenilemek için kimlik bilgilerinizi ve hesabınızda doğrulanmış iletişim bilgilerinizi yazın; güvenlik kodunu bu iletişim bilgilerine göndeririz.',
  'reset.who':
    'Bu hizmetten 15 yaşını doldurmuş T.C. vatandaşları ve Mavi Kart sahipleri yararlanabilir. Yabancı kimlik numarası sahipleri şifrelerini PTT veya Türksat Kablo ofislerinden alabilir.',
  'reset.national_id': 'T.C. kimlik numarası',
  'reset.birthdate': 'Doğum tarihi',
  'reset.birthdate_hint': 'Yıl-ay-gün, örnek: 1985-04-12',
  'reset.document_serial': 'Kimlik belgesi seri numarası',
  'reset.document_serial_hint': 'Kimlik kartınızın ya da Mavi Kartınızın üzerindeki seri numarası, örnek: A12B34567',
  'reset.phone': 'Doğrulanmış cep telefonunuz',
  'reset.email': 'Doğrulanmış e-posta adresiniz',
  'reset.email_hint': 'Şifre yenileme yönteminiz "cep telefonu ve e-posta" ise gerekir.',
  'reset.continue': 'Devam et',
  'reset.code_title': 'Güvenlik kodu',
  'reset.code_lead':
    'Yazdığınız bilgiler kayıtlarımızla ve doğrulanmış iletişim bilgilerinizle eşleşiyorsa güvenlik kodunu gönderdik. Kod {minutes} dakika geçerlidir.',
  'reset.code_missing':
    'Kod gelmediyse bilgilerinizden biri eşleşmiyor ya da iletişim bilgileriniz doğrulanmamış olabilir. Bu durumda PTT veya Türksat Kablo ofisinden yeni şifre alabilir ya da e-İmza, mobil imza, T.C. Kimlik Kartı veya İnternet Bankacılığı ile giriş yapıp şifre belirleyebilirsiniz.',
  'reset.sms_code': 'Cep telefonunuza gönderilen kod',
  'reset.email_code': 'E-posta adresinize gönderilen kod',
  'reset.verify': 'Doğrula',
  'reset.start_again': 'Baştan başla',
  'reset.password_title': 'Yeni şifre',
  'reset.password_lead': 'Güvenli şifre kurallarına uygun yeni şifrenizi iki kez yazın.',
  'reset.save': 'Şifreyi kaydet',
  'reset.done_title': 'Şifreniz yenilendi',
  'reset.done': 'Yeni şifreniz kaydedildi. Eski şifreyle açılmış oturumlar sonlandırıldı.',
  'reset.done_closed': 'Şifre ile giriş hesabınızda kapalı: açmak için e-İmza veya mobil imza ile giriş yapıp "Güvenlik ve ayarlar" sayfasını kullanın.',
  'reset.sign_in': 'Hesabıma giriş yap',
  'reset.refused_title': 'Bu hizmet sizin için uygun değil',
  'reset.refused.foreigner':
    'Yabancı kimlik numarası sahipleri şifre yenileme hizmetinden yararlanamaz. Yeni şifreyi PTT veya Türksat Kablo ofislerinden kimlik belgenizle başvurarak alabilirsiniz.',
  'reset.refused.under_15': 'Şifre yenileme hizmeti 15 yaşını doldurmuş vatandaşlar içindir.',
  'reset.error.national_id': 'Geçerli bir T.C. kimlik numarası yazın (11 rakam).',
  'reset.error.birthdate': 'Doğum tarihinizi yıl-ay-gün biçiminde yazın, örnek: 1985-04-12.',
  'reset.error.document_serial': 'Seri numarası 6 ile 12 arasında harf ve rakamdan oluşur.',
  'reset.error.phone': 'Geçerli bir cep telefonu numarası yazın, örnek: 0532 111 22 33.',
  'reset.error.email': 'Geçerli bir e-posta adresi yazın ya da alanı boş bırakın.',
  'reset.error.too_many': 'Çok fazla deneme yapıldı. Yaklaşık {minutes} dakika sonra yeniden deneyin.',
  'reset.error.expired': 'Şifre yenileme işleminizin süresi doldu ya da bulunamadı. Lütfen baştan başlayın.',
  'reset.error.code_format': 'Güvenlik kodu 6 rakamdan oluşur.',
  'reset.error.code_wrong': 'Güvenlik kodu doğru değil ya da süresi doldu.',
  'reset.error.code_too_many': 'Çok fazla yanlış kod girildi. Lütfen baştan başlayın.',
  'reset.error.contact_changed':
    'Kodların gönderildiği cep telefonu ya da e-posta adresi bu arada hesabınızdan silindi veya değiştirildi; bu kodlar artık geçerli değil. Lütfen güncel doğrulanmış iletişim bilgilerinizle baştan başlayın.',
  'reset.code.sms': 'Kapı şifre yenileme kodunuz: {code}. {minutes} dakika geçerlidir. Bu kodu kimseyle paylaşmayın; Kapı çalışanları kodu asla sormaz.',
  'reset.code.subject': 'Kapı şifre yenileme kodunuz',
  'reset.code.mail':
    'Şifrenizi yenilemek için e-posta kodunuz: {code}\n\nKod {minutes} dakika geçerlidir. Bu isteği siz yapmadıysanız bu iletiyi dikkate almayın; şifreniz değişmez.',
} as const;

const en: English<typeof tr> = {
  'reset.link': 'Forgot my password',
  'reset.title': 'Forgot my password',
  'reset.lead': 'To renew your password, type your identity details and the contact information verified in your account; we send the security code there.',
  'reset.who':
    'This service is for citizens of Türkiye aged 15 or more and for blue card holders. Holders of a foreign identification number get their password at a post office or cable office.',
  'reset.national_id': 'Identity number',
  'reset.birthdate': 'Date of birth',
  'reset.birthdate_hint': 'Year-month-day, for example 1985-04-12',
  'reset.document_serial': 'Identity document serial number',
  'reset.document_serial_hint': 'The serial number on your identity card or blue card, for example A12B34567',
  'reset.phone': 'Your verified mobile phone',
  'reset.email': 'Your verified e-mail address',
  'reset.email_hint': 'Needed when your reset method is "mobile phone and e-mail".',
  'reset.continue': 'Continue',
  'reset.code_title': 'Security code',
  'reset.code_lead':
    'If what you typed matches our records and your verified contact information, we have sent the security code. It is valid for {minutes} minutes.',
  'reset.code_missing':
    'If no code arrives, one of your details does not match or your contact information is not verified. You can then get a new password at a post office or cable office, or sign in with e-signature, mobile signature, the ID card or online banking and set one.',
  'reset.sms_code': 'Code sent to your mobile phone',
  'reset.email_code': 'Code sent to your e-mail address',
  'reset.verify': 'Verify',
  'reset.start_again': 'Start again',
  'reset.password_title': 'New password',
  'reset.password_lead': 'Type your new password, following the rules for a safe password, twice.',
  'reset.save': 'Save the password',
  'reset.done_title': 'Your password is renewed',
  'reset.done': 'Your new password is saved. Sessions opened with the old password have been ended.',
  'reset.done_closed': 'Password sign-in is closed on your account: to open it, sign in with e-signature or mobile signature and use "Security and settings".',
  'reset.sign_in': 'Sign in to my account',
  'reset.refused_title': 'This service is not for you',
  'reset.refused.foreigner':
    'Holders of a foreign identification number cannot use the password renewal service. Get a new password at a post office or cable office with your identity document.',
  'reset.refused.under_15': 'The password renewal service is for citizens aged 15 or more.',
  'reset.error.national_id': 'Type a valid identity number (11 digits).',
  'reset.error.birthdate': 'Type your date of birth as year-month-day, for example 1985-04-12.',
  'reset.error.document_serial': 'The serial number has 6 to 12 letters and digits.',
  'reset.error.phone': 'Type a valid mobile phone number, for example 0532 111 22 33.',
  'reset.error.email': 'Type a valid e-mail address or leave the field empty.',
  'reset.error.too_many': 'Too many attempts. Try again in about {minutes} minutes.',
  'reset.error.expired': 'Your password renewal expired or was not found. Please start again.',
  'reset.error.code_format': 'The security code has 6 digits.',
  'reset.error.code_wrong': 'The security code is not right, or it has expired.',
  'reset.error.code_too_many': 'Too many wrong codes. Please start again.',
  'reset.error.contact_changed':
    'The mobile phone or e-mail address the codes were sent to has since been removed from your account or changed, so those codes are no longer valid. Please start again with your current verified contact details.',
  'reset.code.sms': 'Your Kapı password reset code: {code}. Valid for {minutes} minutes. Do not share it; Kapı staff never ask for it.',
  'reset.code.subject': 'Your Kapı password reset code',
  'reset.code.mail':
    'Your e-mail code to renew your password: {code}\n\nIt is valid for {minutes} minutes. If you did not ask for it, ignore this message; your password does not change.',
};

registerCatalog(tr, en);

declare module '../../../../i18n/index.js' {
  interface Catalogs {
    'src/web/account/pages/reset/messages': typeof tr;
  }
}
