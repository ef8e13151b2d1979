import { registerCatalog, type English } from '../i18n/index.js';

const tr = {
  'dev.outbox.title': 'Geliştirme: giden SMS ve e-postalar',
  'dev.outbox.lead': 'Bu sayfa yalnızca simülatörlerle çalışan geliştirme kurulumunda vardır. Burada görünen iletiler gerçekte gönderilmedi.',
  'dev.outbox.sms': 'SMS',
  'dev.outbox.mail': 'E-posta',
  'dev.outbox.empty': 'Henüz ileti yok.',
  'dev.outbox.real': 'Gerçek ağ geçidi kullanılıyor; iletiler burada görünmez.',
  'dev.outbox.to': 'Alıcı',
  'dev.outbox.at': 'Zaman',
  'dev.outbox.purpose': 'Amaç',
  'dev.outbox.text': 'Metin',
  'dev.outbox.subject': 'Konu',
} as const;

const en: English<typeof tr> = {
  'dev.outbox.title': 'Development: outgoing SMS and e-mail',
  'dev.outbox.lead': 'This page exists only on a development setup running the simulators. The messages shown here were not really sent.',
  'dev.outbox.sms': 'SMS',
  'dev.outbox.mail': 'E-mail',
  'dev.outbox.empty': 'No messages yet.',
  'dev.outbox.real': 'A real gateway is in use; its messages do not show here.',
  'dev.outbox.to': 'To',
  'dev.outbox.at': 'Time',
  'dev.outbox.purpose': 'Purpose',
  'dev.outbox.text': 'Text',
  'dev.outbox.subject': 'Subject',
};

registerCatalog(tr, en);

declare module '../i18n/index.js' {
  interface Catalogs {
    'src/dev/outbox-messages': typeof tr;
  }
}
