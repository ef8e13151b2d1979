// Everything kapi-signer says to a person, in Turkish (the default: most users are citizens at home
// with an ID card or an e-signature token) and English. Keys are checked by the compiler, and a test
// makes sure both languages have every key. Placeholders look like {name}.

export type Lang = 'tr' | 'en';

const catalog = {
  // Help text (built before the options are parsed, so --lang is looked up by hand first).
  help_description: {
    tr: 'Kapı girişini kimlik kartınız ya da e-imza tokeninizle imzalar.',
    en: 'Signs the Kapı login with your ID card or e-signature token.',
  },
  help_server: { tr: 'Kapı adresi (ortam değişkeni: KAPI_SIGNER_SERVER)', en: 'Kapı URL (environment: KAPI_SIGNER_SERVER)' },
  help_help: { tr: 'bu yardımı göster', en: 'show this help' },
  help_code: { tr: 'tarayıcıda gösterilen işlem kodu (ör. KMRT-4A9X)', en: 'the transaction code shown in the browser (e.g. KMRT-4A9X)' },
  help_card: { tr: 'kart türü: {presets}', en: 'card type: {presets}' },
  help_module: { tr: 'PKCS#11 modülünün yolu (--card yerine)', en: 'path of the PKCS#11 module (instead of --card)' },
  help_token_label: { tr: 'kullanılacak tokenin etiketi', en: 'label of the token to use' },
  help_cert: { tr: 'sertifika: sıra numarası, etiket ya da kimlik (hex CKA_ID)', en: 'certificate: number, label or id (hex CKA_ID)' },
  help_list: { tr: 'tokenleri ve sertifikaları listele, çık', en: 'list tokens and certificates and exit' },
  help_pin_file: { tr: "PIN'i dosyanın ilk satırından oku", en: 'read the PIN from the first line of a file' },
  help_pin_stdin: { tr: "PIN'i standart girdinin ilk satırından oku", en: 'read the PIN from the first line of standard input' },
  help_rsa_pss: { tr: 'RSA anahtarla PSS (PS256) imzala', en: 'sign with RSA-PSS (PS256) on RSA keys' },
  help_yes: { tr: 'soru sorma: eksik bilgi varsa hata ver', en: 'never ask: fail when something is missing' },
  help_lang: { tr: 'dil: tr ya da en', en: 'language: tr or en' },
  help_json: { tr: 'sonucu tek satır JSON olarak yaz', en: 'print the result as one JSON line' },
  help_timeout: { tr: 'her istek için zaman aşımı (saniye)', en: 'timeout of each request (seconds)' },
  help_footer: {
    tr: 'PIN hiçbir zaman komut satırında verilmez. Çıkış kodları: 0 başarılı, 1 başarısız, 2 kullanım hatası.',
    en: 'The PIN is never given on the command line. Exit codes: 0 success, 1 failure, 2 usage error.',
  },

  // The journey.
  card_preset_softhsm: { tr: 'SoftHSM (test tokeni)', en: 'SoftHSM (test token)' },
  card_preset_akis: { tr: 'AKİS (T.C. kimlik kartı ve e-imza tokenleri)', en: 'AKİS (Turkish ID card and e-signature tokens)' },
  card_preset_opensc: { tr: 'OpenSC (diğer akıllı kartlar)', en: 'OpenSC (other smart cards)' },
  ask_card_type: { tr: 'Kart türünü seçin:', en: 'Choose the card type:' },
  ask_code: { tr: 'Tarayıcıda gösterilen işlem kodu (ör. KMRT-4A9X): ', en: 'Transaction code shown in the browser (e.g. KMRT-4A9X): ' },
  ask_token: { tr: 'Birden fazla kart/token takılı. Hangisi?', en: 'Several cards/tokens are present. Which one?' },
  ask_cert: { tr: 'Kartta birden fazla sertifika var. Hangisiyle giriş yapılacak?', en: 'The card holds several certificates. Which one signs you in?' },
  ask_choice: { tr: 'Seçiminiz [1-{max}]: ', en: 'Your choice [1-{max}]: ' },
  ask_pin: { tr: '{token} PIN: ', en: '{token} PIN: ' },
  ask_pin_again: { tr: 'PIN hatalı. Yeniden deneyin (vazgeçmek için boş bırakın).', en: 'Wrong PIN. Try again (leave empty to give up).' },
  pin_final_try_warning: {
    tr: 'Dikkat: son deneme hakkınız. PIN yine yanlış girilirse kart kilitlenir.',
    en: 'Careful: last attempt. Another wrong PIN locks the card.',
  },
  pin_file_readable: {
    tr: 'Uyarı: PIN dosyası {path} başka kullanıcılarca okunabilir (chmod 600 önerilir).',
    en: 'Warning: the PIN file {path} can be read by other users (chmod 600 recommended).',
  },
  transaction: { tr: '{service} · {profile} ile giriş · kod {code}', en: '{service} · sign-in with {profile} · code {code}' },
  transaction_origin: {
    tr: 'Bu giriş {time} saatinde, {place} konumundan başlatıldı. Girişi siz başlatmadıysanız veya yer ve saat size ait değilse PIN girmeyin: birisi sizin adınıza giriş yapmaya çalışıyor olabilir.',
    en: 'This sign-in was started at {time} from {place}. If you did not start it, or the place and time are not yours, do not enter your PIN: someone may be trying to sign in as you.',
  },
  place_local: { tr: 'yerel bir ağ', en: 'a local network' },
  place_unknown: { tr: 'bilinmeyen bir yer', en: 'an unknown place' },
  profile_e_signature: { tr: 'e-imza', en: 'e-signature' },
  profile_id_card: { tr: 'T.C. kimlik kartı', en: 'Turkish ID card' },
  certificate_chosen: { tr: 'Sertifika: {holder} (veren: {issuer})', en: 'Certificate: {holder} (issued by {issuer})' },
  signing: { tr: 'Kartla imzalanıyor…', en: 'Signing with the card…' },
  sending: { tr: "İmza Kapı'ya gönderiliyor…", en: 'Sending the signature to Kapı…' },
  accepted: { tr: 'Giriş onaylandı. Tarayıcınıza dönebilirsiniz.', en: 'Sign-in confirmed. You can return to your browser.' },

  // --list
  list_token: { tr: 'Token: {label} ({manufacturer} {model}, seri {serial})', en: 'Token: {label} ({manufacturer} {model}, serial {serial})' },
  list_no_tokens: { tr: 'Takılı kart/token yok.', en: 'No card or token present.' },
  list_no_certificates: { tr: '(sertifika yok)', en: '(no certificates)' },
  list_ca: { tr: 'kök/ara sertifika', en: 'CA certificate' },
  cert_summary: {
    tr: '{holder} · veren: {issuer} · etiket: {label} · id: {id} · son geçerlilik: {until}',
    en: '{holder} · issuer: {issuer} · label: {label} · id: {id} · valid until: {until}',
  },

  // Problems on this computer, before anything reaches the card or the server.
  pin_argument: {
    tr: "PIN komut satırında verilemez (aynı bilgisayardaki başka kullanıcılar görebilir). PIN'i sorulduğunda yazın ya da --pin-file / --pin-stdin kullanın.",
    en: 'The PIN cannot be given on the command line (other users of this computer could see it). Type it when asked, or use --pin-file / --pin-stdin.',
  },
  usage: { tr: 'Kullanım hatası: {detail}', en: 'Usage error: {detail}' },
  bad_lang: { tr: "--lang 'tr' ya da 'en' olmalı.", en: "--lang must be 'tr' or 'en'." },
  no_module: {
    tr: 'Kart türünü (--card {presets}) ya da PKCS#11 modülünü (--module) belirtin.',
    en: 'Give the card type (--card {presets}) or the PKCS#11 module (--module).',
  },
  card_and_module: { tr: '--card ve --module birlikte verilemez.', en: '--card and --module cannot be used together.' },
  unknown_preset: { tr: "Bilinmeyen kart türü '{card}'. Seçenekler: {presets}.", en: "Unknown card type '{card}'. Choices: {presets}." },
  module_not_found: {
    tr: '{card} için PKCS#11 modülü ({file}) bulunamadı. Aranan yerler: {dirs}. Kartın sürücüsünü kurun ya da --module ile yolunu verin.',
    en: 'The PKCS#11 module for {card} ({file}) was not found. Looked in: {dirs}. Install the card driver or give its path with --module.',
  },
  module_missing_file: { tr: 'PKCS#11 modülü bulunamadı: {path}', en: 'PKCS#11 module not found: {path}' },
  module_load_failed: { tr: 'PKCS#11 modülü yüklenemedi ({path}): {detail}', en: 'Could not load the PKCS#11 module ({path}): {detail}' },
  bad_server_url: { tr: 'Geçersiz Kapı adresi: {url}', en: 'Invalid Kapı URL: {url}' },
  insecure_server: {
    tr: 'Kapı adresi https olmalı (http yalnızca bu bilgisayar için kabul edilir: localhost, 127.0.0.1, ::1): {url}',
    en: 'The Kapı URL must be https (http only for this computer: localhost, 127.0.0.1, ::1): {url}',
  },
  code_required: { tr: 'İşlem kodu gerekli (--code).', en: 'The transaction code is required (--code).' },
  invalid_code: {
    tr: 'İşlem kodu geçersiz: tarayıcıda gösterilen 8 karakteri yazın (ör. KMRT-4A9X).',
    en: 'Invalid transaction code: type the 8 characters shown in the browser (e.g. KMRT-4A9X).',
  },
  pin_required: {
    tr: 'PIN gerekli: bir terminalde çalıştırın ya da --pin-file / --pin-stdin kullanın.',
    en: 'A PIN is needed: run in a terminal or use --pin-file / --pin-stdin.',
  },
  pin_sources: { tr: '--pin-file ve --pin-stdin birlikte verilemez.', en: '--pin-file and --pin-stdin cannot be used together.' },
  pin_file_unreadable: { tr: 'PIN dosyası okunamadı: {path}', en: 'Could not read the PIN file: {path}' },
  pin_empty: { tr: 'PIN boş.', en: 'The PIN is empty.' },
  question_needed: {
    tr: 'Bir seçim yapılması gerekiyor ama soru sorulamıyor (--yes ya da terminal yok).',
    en: 'A choice is needed but no question can be asked (--yes, or no terminal).',
  },

  // The card.
  no_token: { tr: 'Takılı kart/token bulunamadı. Kartı okuyucuya takın ve yeniden deneyin.', en: 'No card or token found. Insert the card and try again.' },
  token_not_found: { tr: "'{label}' etiketli token bulunamadı. Takılı olanlar: {labels}", en: "No token labelled '{label}'. Present: {labels}" },
  several_tokens: {
    tr: 'Birden fazla token takılı; --token-label ile seçin: {labels}',
    en: 'Several tokens are present; choose one with --token-label: {labels}',
  },
  no_certificate: { tr: 'Kartta giriş için kullanılabilecek sertifika yok.', en: 'The card holds no certificate usable for sign-in.' },
  no_certificate_e_signature: {
    tr: 'Kartta giriş için kullanılabilecek sertifika yok. e-İmza ile girişte e-İmza kartınızı (ya da tokeninizi) takın; T.C. kimlik kartıyla giriş için tarayıcıda "T.C. Kimlik Kartı" yöntemini seçin.',
    en: 'The card holds no certificate usable for sign-in. For e-signature, insert your e-signature card (or token); to use your Turkish ID card, choose "National ID card" in the browser.',
  },
  no_certificate_id_card: {
    tr: 'Kartta giriş için kullanılabilecek sertifika yok. Kimlik kartıyla girişte T.C. kimlik kartınızı takın; e-İmza kartıyla giriş için tarayıcıda "e-İmza" yöntemini seçin.',
    en: 'The card holds no certificate usable for sign-in. For the ID card, insert your Turkish ID card; to use an e-signature card, choose "e-Signature" in the browser.',
  },
  cert_not_found: { tr: "'{cert}' ile eşleşen sertifika yok. Kartta olanlar:\n{list}", en: "No certificate matches '{cert}'. On the card:\n{list}" },
  several_certs: {
    tr: 'Kartta birden fazla sertifika var; --cert ile seçin:\n{list}',
    en: 'The card holds several certificates; choose one with --cert:\n{list}',
  },
  no_private_key: {
    tr: 'Seçilen sertifikanın özel anahtarı kartta bulunamadı.',
    en: 'The private key of the chosen certificate is not on the card.',
  },
  unsupported_key: {
    tr: 'Bu sertifikanın anahtar türü desteklenmiyor ({type}). Desteklenenler: RSA, EC P-256, EC P-384.',
    en: 'The key type of this certificate is not supported ({type}). Supported: RSA, EC P-256, EC P-384.',
  },
  unsupported_mechanism: {
    tr: 'Kart gereken imza yöntemini desteklemiyor ({mechanism}).',
    en: 'The card does not support the needed signature mechanism ({mechanism}).',
  },
  signature_mismatch: {
    tr: 'Kartın ürettiği imza sertifikayla doğrulanamadı (anahtar ile sertifika eşleşmiyor).',
    en: 'The signature made by the card does not verify with the certificate (key and certificate do not match).',
  },
  pin_incorrect: {
    tr: 'PIN hatalı. Dikkat: art arda yanlış girilen PIN kartı kilitler.',
    en: 'Wrong PIN. Careful: repeated wrong PINs lock the card.',
  },
  pin_locked: {
    tr: 'PIN bloke. Kimlik kartı için nüfus müdürlüğüne, e-imza için sertifika sağlayıcınıza başvurun (PUK ile açılır).',
    en: 'The PIN is blocked. For the ID card go to the civil registry office, for an e-signature to your certificate provider (unblocked with the PUK).',
  },
  cancelled: { tr: 'İşlem iptal edildi.', en: 'Cancelled.' },
  token_error: { tr: 'Kartla iletişimde hata: {detail}', en: 'Error talking to the card: {detail}' },

  // The server.
  network: { tr: "Kapı'ya ulaşılamadı ({url}): {detail}", en: 'Could not reach Kapı ({url}): {detail}' },
  timeout: { tr: 'Kapı {seconds} saniye içinde yanıt vermedi.', en: 'Kapı did not answer within {seconds} seconds.' },
  bad_response: { tr: "Kapı'dan beklenmeyen yanıt (HTTP {status}).", en: 'Unexpected answer from Kapı (HTTP {status}).' },
  unsupported_profile: { tr: 'Bu işlem türü desteklenmiyor: {profile}', en: 'Unsupported transaction type: {profile}' },
  challenge_mismatch: {
    tr: 'Sunucunun imzalatmak istediği veri bu adresin Kapı giriş isteği değil; hiçbir şey imzalanmadı.',
    en: 'What the server asked to sign is not a Kapı login request from this address; nothing was signed.',
  },
  too_many_requests: {
    tr: 'Çok fazla hatalı kod denemesi. Bir süre bekleyip yeniden deneyin.',
    en: 'Too many wrong codes. Wait a while and try again.',
  },
  server_unknown_transaction: {
    tr: 'Bu işlem kodu bulunamadı. Kodu tarayıcıdaki ekrandan kontrol edin.',
    en: 'No transaction has this code. Check the code on the browser screen.',
  },
  server_transaction_expired: {
    tr: 'İşlemin süresi doldu (5 dakika). Tarayıcıda girişi yeniden başlatın ve yeni kodu kullanın.',
    en: 'The transaction has expired (5 minutes). Start the sign-in again in the browser and use the new code.',
  },
  server_transaction_used: {
    tr: 'Bu işlem kodu zaten kullanıldı. Tarayıcıda girişi yeniden başlatın.',
    en: 'This transaction code has already been used. Start the sign-in again in the browser.',
  },
  server_invalid_request: { tr: 'Kapı isteği geçersiz buldu: {description}', en: 'Kapı found the request invalid: {description}' },
  server_bad_signature: { tr: 'İmza doğrulanamadı.', en: 'The signature did not verify.' },
  server_untrusted: {
    tr: 'Sertifika bu giriş yöntemi için güvenilen bir kuruluştan değil. Doğru kartı/sertifikayı ve giriş türünü seçtiğinizden emin olun.',
    en: 'The certificate is not from an authority trusted for this sign-in method. Check the card/certificate and the sign-in type.',
  },
  server_untrusted_e_signature: {
    tr: 'Bu sertifika tanınan bir elektronik sertifika hizmet sağlayıcısından değil. e-İmza ile girişte e-İmza kartınızdaki nitelikli sertifikayı kullanın; T.C. kimlik kartınızı kullanıyorsanız tarayıcıda "T.C. Kimlik Kartı" yöntemini seçin.',
    en: 'This certificate is not from a recognised certificate service provider. For e-signature, use the qualified certificate on your e-signature card; if you are using your Turkish ID card, choose "National ID card" in the browser.',
  },
  server_untrusted_id_card: {
    tr: 'Bu sertifika bir T.C. kimlik kartı sertifikası değil. Kart okuyucudaki kartın T.C. kimlik kartınız olduğundan emin olun; e-İmza kartı ya da tokeni kullanıyorsanız tarayıcıda "e-İmza" yöntemini seçin.',
    en: 'This is not a Turkish ID card certificate. Check that the card in the reader is your Turkish ID card; if you are using an e-signature card or token, choose "e-Signature" in the browser.',
  },
  server_expired_certificate: {
    tr: 'Sertifikanın süresi dolmuş. Sertifika sağlayıcınızdan yenisini alın.',
    en: 'The certificate has expired. Get a new one from your certificate provider.',
  },
  server_not_yet_valid: {
    tr: 'Sertifika henüz geçerli değil (geçerlilik başlangıcı gelmedi). Bilgisayarınızın tarih ve saatini kontrol edin ya da geçerlilik tarihinden sonra yeniden deneyin.',
    en: 'The certificate is not valid yet (its validity has not begun). Check the date and time of your computer, or try again once it is valid.',
  },
  server_malformed: {
    tr: 'Sertifika okunamadı. Kartta başka bir sertifika varsa onu seçin (--cert) ya da kartı veren kuruma başvurun.',
    en: 'The certificate cannot be read. If the card holds another certificate, choose it (--cert), or contact the card issuer.',
  },
  server_revoked: { tr: 'Sertifika iptal edilmiş.', en: 'The certificate has been revoked.' },
  server_revocation_unknown: {
    tr: 'Sertifikanın iptal durumu şu an doğrulanamıyor. Biraz sonra yeniden deneyin.',
    en: 'The revocation status of the certificate cannot be checked right now. Try again later.',
  },
  server_not_qualified: {
    tr: 'Bu sertifika nitelikli elektronik sertifika değil; e-imza girişi için nitelikli sertifika gerekir.',
    en: 'This is not a qualified certificate; e-signature sign-in needs a qualified one.',
  },
  server_wrong_key_usage: {
    tr: 'Bu sertifika bu giriş türü için kullanılamaz (kimlik kartında kimlik doğrulama sertifikasını, e-imzada imza sertifikasını seçin).',
    en: 'This certificate cannot be used for this sign-in type (ID card: the authentication certificate; e-signature: the signing certificate).',
  },
  server_wrong_key_usage_e_signature: {
    tr: 'Seçtiğiniz sertifika e-İmza ile giriş için kullanılamaz: e-İmza kartınızdaki nitelikli imza sertifikasını seçin (--cert). Kart T.C. kimlik kartınızsa tarayıcıda "T.C. Kimlik Kartı" yöntemini seçin.',
    en: 'The chosen certificate cannot be used for e-signature sign-in: choose the qualified signing certificate on your e-signature card (--cert). If the card is your Turkish ID card, choose "National ID card" in the browser.',
  },
  server_wrong_key_usage_id_card: {
    tr: 'Seçtiğiniz sertifika kimlik kartıyla giriş için kullanılamaz: T.C. kimlik kartınızdaki kimlik doğrulama sertifikasını seçin (--cert). Kart e-İmza kartınızsa tarayıcıda "e-İmza" yöntemini seçin.',
    en: 'The chosen certificate cannot be used for ID card sign-in: choose the authentication certificate on your Turkish ID card (--cert). If the card is your e-signature card, choose "e-Signature" in the browser.',
  },
  server_number_mismatch: {
    tr: 'Sertifikadaki kimlik numarası tarayıcıda yazdığınız numarayla aynı değil. Kendi kartınızı kullandığınızı ve numarayı doğru yazdığınızı kontrol edin.',
    en: 'The identity number in the certificate differs from the number typed in the browser. Check that the card is yours and the number is typed right.',
  },
  server_other: { tr: 'Kapı isteği reddetti ({error}). {description}', en: 'Kapı refused the request ({error}). {description}' },
  unexpected: { tr: 'Beklenmeyen hata: {detail}', en: 'Unexpected error: {detail}' },
} satisfies Record<string, Record<Lang, string>>;

export type MessageKey = keyof typeof catalog;
export type MessageParams = Record<string, string | number>;

/** The catalog itself, for the test that both languages are complete. */
export const messageCatalog: Readonly<Record<MessageKey, Record<Lang, string>>> = catalog;

export function message(lang: Lang, key: MessageKey, params: MessageParams = {}): string {
  return catalog[key][lang].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function isLang(value: string): value is Lang {
  return value === 'tr' || value === 'en';
}
