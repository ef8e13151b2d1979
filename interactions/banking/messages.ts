import { registerCatalog, type English } from '../../src/i18n/index.js';

const tr = {
  'method.banking': 'İnternet Bankacılığı',
  'banking.title': 'İnternet Bankacılığı ile giriş',
  'banking.lead':
    'İnternet bankacılığını kullandığınız bankayı seçin. Bankanızın kendi giriş sayfasına yönlendirileceksiniz; müşteri numaranızı veya kimlik numaranızı ve şifrenizi yalnızca orada yazın.',
  'banking.privacy':
    'Kapı şifrenizi ve kişisel bilgilerinizi bankayla paylaşmaz; banka da hesap bilgilerinizi, şifrenizi ve müşteri numaranızı Kapı ile paylaşmaz.',
  'banking.banks': 'Bankalar',
  'banking.none': 'Şu anda İnternet Bankacılığı ile giriş yapılabilecek bir banka yok.',
  'banking.cancelled': 'Bankanızda girişi iptal ettiniz. Yeniden deneyebilir veya başka bir giriş yöntemi seçebilirsiniz.',
  'banking.bank_error': 'Bankanız girişi tamamlayamadı. Lütfen biraz sonra yeniden deneyin veya başka bir giriş yöntemi seçin.',
  'banking.unreachable': 'Bankanıza şu anda ulaşılamıyor (yanıt zamanında gelmedi). Lütfen biraz sonra yeniden deneyin veya başka bir giriş yöntemi seçin.',
  'banking.invalid_answer': 'Bankadan gelen yanıt doğrulanamadı, bu nedenle giriş yapılmadı. Lütfen girişi yeniden başlatın.',
  'banking.answer_unknown':
    'Bankadan gelen bu yanıt geçersiz, süresi dolmuş ya da daha önce kullanılmış. Lütfen girişi kullandığınız hizmetten yeniden başlatın.',
  'banking.answer_elsewhere':
    'Bankadan gelen yanıt, girişin başlatıldığı tarayıcıda açılmadığı için kullanılmadı ve giriş yapılmadı. Girişi bu tarayıcıda yeniden başlatın ve bankanızın sayfasını da bu tarayıcıda açın.',
  'banking.answer_other_browser':
    'Bu banka yanıtı bu tarayıcıda başlatılmış bir girişe ait değil, bu nedenle kullanılmadı ve kimse oturum açmadı. Giriş yapmak istiyorsanız, kullandığınız hizmetin sayfasından bu tarayıcıda yeniden başlayın. Birisi size bir banka giriş bağlantısı gönderdiyse, sizin adınıza giriş yapmaya çalışıyor olabilir: o bağlantıyı kullanmayın. Bankanızdaki şifreniz bu kişiye ulaşmadı.',
  'banking.id_missing':
    'Bankanız kimlik numaranızı iletmedi. Bankanızdaki kayıtlarınızda T.C. kimlik numaranızın bulunduğundan emin olun veya başka bir giriş yöntemi seçin.',
  'banking.id_malformed': 'Bankanızın ilettiği kimlik numarası geçerli değil. Lütfen bankanızla iletişime geçin veya başka bir giriş yöntemi seçin.',
  'banking.not_in_registry': 'Bankanızın ilettiği kimlik numarası için nüfus kaydı bulunamadı. Lütfen bankanızla iletişime geçin.',
  'banking.subject_mismatch':
    'Bankanızın yanıtı bu müşteri için daha önce verdiği yanıtla uyuşmuyor, bu nedenle giriş yapılmadı. Lütfen bankanızla iletişime geçin.',
  'banking.unknown_bank': 'Seçilen banka İnternet Bankacılığı ile girişte kullanılamıyor.',
  'banking.blocked':
    'Hesabınızda İnternet Bankacılığı ile giriş kapalı. Açmak için başka bir yöntemle (Kapı şifresi, e-İmza, mobil imza veya T.C. Kimlik Kartı) giriş yapın; hesabınızın "Güvenlik ve ayarlar" sayfasında (/account/security), "Erişim kısıtlamaları" bölümünde İnternet Bankacılığı ile giriş için "Açık" seçeneğini seçin.',
  'banking.too_many': 'Çok fazla deneme yapıldı. Lütfen biraz bekleyip yeniden deneyin.',
  'banking.other_methods': 'Başka bir giriş yöntemi seçin',
} as const;

const en: English<typeof tr> = {
  'method.banking': 'Online banking',
  'banking.title': 'Sign in with online banking',
  'banking.lead':
    "Choose the bank whose online banking you use. You will be sent to your bank's own login page; type your customer number or identity number and your password only there.",
  'banking.privacy':
    'Kapı never shares your password or personal information with the bank; the bank does not share your account details, password or customer number with Kapı.',
  'banking.banks': 'Banks',
  'banking.none': 'No bank is available for online-banking sign-in at the moment.',
  'banking.cancelled': 'You cancelled the sign-in at your bank. You can try again or choose another sign-in method.',
  'banking.bank_error': 'Your bank could not complete the sign-in. Please try again shortly or choose another sign-in method.',
  'banking.unreachable': 'Your bank cannot be reached right now (it did not answer in time). Please try again shortly or choose another sign-in method.',
  'banking.invalid_answer': 'The answer from the bank could not be verified, so you were not signed in. Please start the sign-in again.',
  'banking.answer_unknown':
    'This answer from the bank is invalid, expired or was already used. Please start the sign-in again from the service you were using.',
  'banking.answer_elsewhere':
    "The answer from the bank was not used, and you were not signed in, because it was opened in a different browser from the one where the sign-in started. Start the sign-in again in this browser and open your bank's page in this browser too.",
  'banking.answer_other_browser':
    "This answer from your bank does not belong to a sign-in started in this browser, so it was not used and nobody was signed in. If you want to sign in, start again from the page of the service you are using, in this browser. If someone sent you a link to your bank's sign-in page, they may have been trying to sign in as you: do not use that link. Your bank password did not reach them.",
  'banking.id_missing':
    'Your bank did not send your identity number. Make sure your bank has your Turkish identity number on record, or choose another sign-in method.',
  'banking.id_malformed': 'The identity number your bank sent is not valid. Please contact your bank or choose another sign-in method.',
  'banking.not_in_registry': 'No population record was found for the identity number your bank sent. Please contact your bank.',
  'banking.subject_mismatch': "Your bank's answer does not match what it said about this customer before, so you were not signed in. Please contact your bank.",
  'banking.unknown_bank': 'The chosen bank cannot be used for online-banking sign-in.',
  'banking.blocked':
    'Online-banking sign-in is closed for your account. To open it, sign in with another method (Kapı password, e-signature, mobile signature or ID card), go to the "Security and settings" page of your account (/account/security) and, under "Access restrictions", choose "Open" for sign-in with online banking.',
  'banking.too_many': 'Too many attempts. Please wait a little and try again.',
  'banking.other_methods': 'Choose another sign-in method',
};

registerCatalog(tr, en);

declare module '../../src/i18n/index.js' {
  interface Catalogs {
    'interactions/banking/messages': typeof tr;
  }
}
