import type { InboundMessage } from '@helpline/contracts';
import { InboundMessage as InboundSchema, jobIds } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { buildSignedWebhookRequest, readConformancePayloads, startTestRedis, type TestRedis } from '@helpline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import type { DeliveryStatusUpdate } from '../src/outbound/channel-sender.js';
import { normalisePayload, WebhookEnvelope } from '../src/webhook/normalise-payload.js';
import { APP_SECRET, testContext } from './support/harness.js';

// Every payload of the shared Meta corpus, read from ../shared/conformance/meta through the
// testkit (never copied here), with what it must yield written out by hand from the file:
// how many messages and statuses, and for each message its type, sender and the field that
// makes it what it is. A file added to the corpus without expectations fails the first test.

const payloads = readConformancePayloads('meta');
const RECEIVED = new Date('2026-01-01T00:00:00.000Z');

type ExpectedMessage = Partial<
  Omit<InboundMessage, 'media' | 'location' | 'reply' | 'reaction' | 'referral' | 'order'>
> & {
  type: InboundMessage['type'];
  from: string;
  media?: Partial<NonNullable<InboundMessage['media']>>;
  location?: Partial<NonNullable<InboundMessage['location']>>;
  reply?: Partial<NonNullable<InboundMessage['reply']>>;
  reaction?: Partial<NonNullable<InboundMessage['reaction']>>;
  referral?: Partial<NonNullable<InboundMessage['referral']>>;
  order?: Partial<NonNullable<InboundMessage['order']>>;
};

interface Expected {
  messages: ExpectedMessage[];
  statuses: (Partial<DeliveryStatusUpdate> & Pick<DeliveryStatusUpdate, 'messageId' | 'status' | 'recipient'>)[];
  /** `inbound` jobs stored when it differs from the number of messages (an id repeated inside the payload). */
  stored?: number;
  /** Payloads of a field or object the gateway does not handle: what it says it left aside. */
  ignored?: string;
}

const none = { messages: [], statuses: [] };
const WAMID_NB = 'wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==';

const EXPECTED: Record<string, Expected> = {
  '01-text-bsuid-contact.json': {
    ...none,
    messages: [
      {
        id: 'wamid.xyzxyz',
        type: 'text',
        from: '972987654321',
        chatId: '972987654321',
        senderPhone: '972987654321',
        senderName: 'Test Name',
        text: 'Body Text',
        sentAt: '2023-10-11T16:53:43.000Z',
      },
    ],
  },
  '02-text-plain.json': {
    ...none,
    messages: [
      {
        id: 'wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==',
        type: 'text',
        from: '1111111111111',
        senderName: 'Mauricio Binda',
        text: 'hi everyone!',
        sentAt: '2023-01-05T19:39:38.000Z',
      },
    ],
  },
  '03-text-reply-context.json': {
    ...none,
    messages: [
      {
        type: 'text',
        from: '972987654321',
        text: 'replied text',
        replyTo: 'wamid.xyzxyz==',
        sentAt: '2023-10-11T17:19:06.000Z',
      },
    ],
  },
  '04-text-frequently-forwarded.json': {
    ...none,
    messages: [
      {
        type: 'text',
        from: '972987654321',
        text: 'text forwarded many times',
        forwarded: true,
        sentAt: '2023-10-11T17:22:48.000Z',
      },
    ],
  },
  '05-text-forwarded-numeric-timestamp.json': {
    ...none,
    messages: [
      {
        id: 'wamid.ID',
        type: 'text',
        from: '16315551234',
        senderName: 'NAME',
        text: 'MESSAGE_BODY',
        forwarded: true,
        sentAt: '2022-11-23T20:02:58.000Z',
      },
    ],
  },
  '06-text-contact-without-profile.json': {
    ...none,
    messages: [
      { type: 'text', from: 'PHONE_NUMBER', text: 'MESSAGE_BODY', senderName: undefined, senderPhone: undefined },
    ],
  },
  '07-image.json': {
    ...none,
    messages: [
      {
        type: 'image',
        from: '1111111111111',
        text: '',
        media: {
          id: '8472976218001204',
          mimeType: 'image/jpeg',
          sha256: 'ciJuSxU7RLnnFz3cNcasdL7UQKt9e1yj/3u+Rhsabv0=',
        },
        sentAt: '2023-01-06T19:15:25.000Z',
      },
    ],
  },
  '08-image-with-url.json': {
    ...none,
    messages: [
      {
        type: 'image',
        from: '972987654321',
        media: {
          id: '65463453',
          mimeType: 'image/jpeg',
          url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=65463453&source=webhook&ext=487r9re&hash=heiwchueowbcew-dnedcw',
        },
      },
    ],
  },
  '09-video-forwarded-caption.json': {
    ...none,
    messages: [
      {
        type: 'video',
        from: '972987654321',
        text: 'caption',
        forwarded: true,
        media: { id: '765756756', caption: 'caption', mimeType: 'video/mp4' },
      },
    ],
  },
  '10-audio-voice.json': {
    ...none,
    messages: [
      {
        type: 'audio',
        from: '1111111111111',
        text: '',
        media: { id: '827776106019109', voice: true, mimeType: 'audio/ogg; codecs=opus' },
      },
    ],
  },
  '11-audio-not-voice.json': {
    ...none,
    messages: [
      { type: 'audio', from: '972987654321', forwarded: true, media: { id: '1234567890987654321', voice: false } },
    ],
  },
  '12-document-no-caption.json': {
    ...none,
    messages: [
      {
        type: 'document',
        from: '1111111111111',
        text: '',
        media: { id: '848704520347750', filename: '4_641947.pdf', mimeType: 'application/pdf', caption: undefined },
      },
    ],
  },
  '13-document-caption.json': {
    ...none,
    messages: [
      {
        type: 'document',
        from: '972987654321',
        text: 'caption',
        forwarded: true,
        media: { id: '1234567890987654321', filename: 'filename.pdf', caption: 'caption' },
      },
    ],
  },
  '14-sticker-static.json': {
    ...none,
    messages: [
      {
        type: 'sticker',
        from: '1111111111111',
        media: { id: '1604825680670873', mimeType: 'image/webp', animated: false },
      },
    ],
  },
  '15-sticker-animated.json': {
    ...none,
    messages: [{ type: 'sticker', from: '972987654321', media: { id: '1234567890987654321', animated: true } }],
  },
  '16-location-url-only.json': {
    ...none,
    messages: [
      {
        type: 'location',
        from: '1111111111111',
        text: '',
        location: {
          latitude: -10.93941311633,
          longitude: -10.606395436721,
          url: 'https://foursquare.com/v/5c42c5667d8497002c6e09f9',
          name: undefined,
        },
      },
    ],
  },
  '17-location-named.json': {
    ...none,
    messages: [
      {
        type: 'location',
        from: '972987654321',
        text: 'Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025',
        forwarded: true,
        location: {
          latitude: 37.4611978,
          longitude: -122.2164385,
          name: 'Facebook HQ',
          address: '1 Hacker Way, Menlo Park, CA 94025',
          url: 'https://maps.google.com/?cid=2000000000000000000',
        },
      },
    ],
  },
  '18-contacts-three.json': {
    ...none,
    messages: [
      {
        type: 'contacts',
        from: '972987654321',
        text: 'Chandler Bing, Monica, Rachel Green',
        contacts: [
          { name: 'Chandler Bing', phones: ['+1 555-555-5555'] },
          { name: 'Monica', phones: ['+1 666-666-6666'] },
          { name: 'Rachel Green', phones: ['+1 777-777-7777'] },
        ],
      },
    ],
  },
  '19-contacts-full-fields.json': {
    ...none,
    messages: [
      {
        type: 'contacts',
        from: 'PHONE_NUMBER',
        text: 'CONTACT_FORMATTED_NAME',
        contacts: [{ name: 'CONTACT_FORMATTED_NAME', phones: ['CONTACT_PHONE'] }],
      },
    ],
  },
  '20-interactive-button-reply.json': {
    ...none,
    messages: [
      {
        type: 'interactive',
        from: '972987654321',
        text: 'title',
        replyTo: 'wamid.xyzxyz',
        reply: { kind: 'button_reply', id: 'callback_data', title: 'title' },
      },
    ],
  },
  '21-interactive-list-reply.json': {
    ...none,
    messages: [
      {
        id: 'wamid.zyzxyz',
        type: 'interactive',
        from: '972987654321',
        text: 'title',
        reply: { kind: 'list_reply', id: 'callback_data', title: 'title', description: 'description' },
      },
    ],
  },
  '22-interactive-list-reply-numeric-ts.json': {
    ...none,
    messages: [
      {
        type: 'interactive',
        from: 'PHONE_NUMBER_ID',
        text: 'list_reply_title',
        sentAt: '2022-11-23T20:02:58.000Z',
        reply: {
          kind: 'list_reply',
          id: 'list_reply_id',
          title: 'list_reply_title',
          description: 'list_reply_description',
        },
      },
    ],
  },
  '23-button-template-quick-reply.json': {
    ...none,
    messages: [
      {
        type: 'button',
        from: '1111111111111',
        text: 'SIM',
        replyTo: WAMID_NB,
        reply: { kind: 'quick_reply', id: 'SIM', title: 'SIM' },
      },
    ],
  },
  '24-button-no-context-from-user-id.json': {
    ...none,
    messages: [
      {
        id: 'wamid.xsidjx',
        type: 'button',
        from: '972987654321',
        text: 'title',
        reply: { kind: 'quick_reply', id: 'callback_data', title: 'title' },
      },
    ],
  },
  '25-interactive-nfm-reply-flow.json': {
    ...none,
    messages: [
      {
        type: 'interactive',
        from: '972987654321',
        text: 'Sent',
        replyTo: 'wamid.gvwegfretge==',
        reply: {
          kind: 'nfm_reply',
          title: 'flow',
          response: {
            comment_text: 'Comment Text',
            delivery_rating: '4',
            flow_token: 'AQAAAAACS5FpgQ_cAAAAAD0QI3s.',
            purchase_rating: '2',
            recommend_radio: '0',
            cs_rating: '0',
          },
        },
      },
    ],
  },
  '26-interactive-missing-object.json': {
    ...none,
    messages: [
      {
        id: 'wamid.wegrchytvwcggt=',
        type: 'interactive',
        from: '972987654321',
        text: '',
        reply: undefined,
        errors: [
          {
            code: 131000,
            title: 'Something went wrong',
            message: 'Something went wrong',
            details: 'Unsupported webhook payload',
          },
        ],
      },
    ],
  },
  '27-reaction-add.json': {
    ...none,
    messages: [
      {
        type: 'reaction',
        from: '1111111111111',
        text: '👍',
        reaction: { messageId: WAMID_NB, emoji: '👍', removed: false },
      },
    ],
  },
  '28-reaction-remove-empty-emoji.json': {
    ...none,
    messages: [
      {
        type: 'reaction',
        from: '972987654321',
        text: '',
        reaction: { messageId: 'wamid.yzxyzx=', removed: true, emoji: undefined },
      },
    ],
  },
  '29-reaction-remove-no-emoji.json': {
    ...none,
    messages: [
      {
        type: 'reaction',
        from: '972987654321',
        text: '',
        reaction: { messageId: 'wamid.yzxyzx=', removed: true, emoji: undefined },
      },
    ],
  },
  '30-unsupported-deleted-message.json': {
    ...none,
    messages: [
      {
        type: 'unsupported',
        from: '1111111111111',
        text: '',
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            details: 'Message type is currently not supported.',
          },
        ],
      },
    ],
  },
  '31-unsupported-with-subtype.json': {
    ...none,
    messages: [
      {
        type: 'unsupported',
        rawType: 'unsupported',
        from: '972987654321',
        errors: [{ code: 131051, title: 'Message type unknown' }],
      },
    ],
  },
  '32-unknown-type-errors.json': {
    ...none,
    messages: [
      {
        type: 'unknown',
        rawType: 'unknown',
        from: 'PHONE_NUMBER',
        text: '',
        errors: [
          { code: 131051, title: 'Unsupported message type', details: 'Message type is not currently supported' },
        ],
      },
    ],
  },
  '33-order.json': {
    ...none,
    messages: [
      {
        type: 'order',
        from: '972987654321',
        text: '',
        order: {
          catalogId: '354160437058781',
          items: [
            { productId: 'HAMBURGER', quantity: 3, price: 30, currency: 'ILS' },
            { productId: 'FRENCH_FRIES', quantity: 2, price: 35, currency: 'ILS' },
            { productId: 'SODA', quantity: 2, price: 10, currency: 'ILS' },
          ],
        },
      },
    ],
  },
  '34-order-string-values.json': {
    ...none,
    messages: [
      {
        type: 'order',
        from: 'PHONE_NUMBER_ID',
        text: 'text-message-sent-along-with-the-order',
        // Quantities and prices written as words: kept as 0, never a crash.
        order: {
          catalogId: 'the-catalog_id',
          text: 'text-message-sent-along-with-the-order',
          items: [
            { productId: 'the-product-SKU-identifier', quantity: 0, price: 0, currency: 'price-currency' },
            { productId: 'the-product-SKU-identifier-2', quantity: 0, price: 0, currency: 'price-currency' },
          ],
        },
      },
    ],
  },
  '35-system-user-changed-number.json': {
    ...none,
    messages: [
      {
        id: 'wamid.xyzxyz==',
        type: 'system',
        from: '972987654321',
        text: 'User A changed from 972987654321 to 972912345678',
        senderName: undefined,
      },
    ],
  },
  '36-system-user-changed-number-customer.json': {
    ...none,
    messages: [
      {
        type: 'system',
        from: 'PHONE_NUMBER',
        text: 'NAME changed from PHONE_NUMBER to PHONE_NUMBER',
        sentAt: '2022-11-23T20:02:58.000Z',
      },
    ],
  },
  '37-system-identity-changed.json': {
    ...none,
    messages: [{ type: 'system', from: '972987654321', text: 'User identity changed', senderName: 'User A' }],
  },
  '38-referral-ctwa.json': {
    ...none,
    messages: [
      {
        type: 'text',
        from: '972987654321',
        text: 'BODY',
        referral: {
          sourceUrl: 'AD_OR_POST_FB_URL',
          sourceId: 'ADID',
          sourceType: 'ad or post',
          headline: 'AD_TITLE',
          body: 'AD_DESCRIPTION',
          ctwaClid: 'CTWA_CLID',
        },
      },
    ],
  },
  '39-button-with-referral-referred-product.json': {
    ...none,
    messages: [
      {
        type: 'button',
        from: '16315551234',
        text: 'No',
        forwarded: true,
        replyTo: 'wamid.ID',
        reply: { kind: 'quick_reply', id: 'No-Button-Payload', title: 'No' },
        referral: { sourceId: 'ADID', headline: 'AD_TITLE', ctwaClid: undefined },
      },
    ],
  },
  '40-status-sent.json': {
    ...none,
    statuses: [
      { messageId: WAMID_NB, status: 'sent', recipient: '1111111111111', timestamp: '2023-01-06T15:51:57.000Z' },
    ],
  },
  '41-status-delivered.json': {
    ...none,
    statuses: [{ messageId: WAMID_NB, status: 'delivered', recipient: '1111111111111' }],
  },
  '42-status-read-with-contacts.json': {
    ...none,
    statuses: [{ messageId: 'wamid.xyzxyz', status: 'read', recipient: '972987654321' }],
  },
  '43-status-played.json': {
    ...none,
    statuses: [{ messageId: 'wamid.xyzxyz', status: 'played', recipient: '972987654321' }],
  },
  '44-status-failed-131047.json': {
    ...none,
    statuses: [
      {
        messageId: 'wamid.HBgNN5NzAzMDkTUyNzkzNhUEjA1MjUwNCAUIyNEYUQ0OTVGNTY0MwA=',
        status: 'failed',
        recipient: '5511111111111',
        timestamp: '2023-04-28T03:18:07.000Z',
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            message: 'Re-engagement message',
            details:
              'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
          },
        ],
      },
    ],
  },
  '45-status-failed-131053.json': {
    ...none,
    statuses: [
      {
        messageId: 'wamid.HBgNNTUyNzk5NzAUZBQTI3MzRGRDA3MjgzMDkzNhUCABEYEjNCR2OQA=',
        status: 'failed',
        recipient: '1111111111111',
        errors: [
          {
            code: 131053,
            title: 'Media upload error',
            message: 'Media upload error',
            details: 'Unsupported Video mime type text/html. Please use one of video/3gpp, video/mp4.',
          },
        ],
      },
    ],
  },
  '46-status-failed-130472.json': {
    ...none,
    statuses: [
      {
        messageId: 'wamid.xyzxyz',
        status: 'failed',
        recipient: '972987654321',
        errors: [expect.objectContaining({ code: 130472, title: "User's number is part of an experiment" })],
      },
    ],
  },
  '47-status-failed-minimal-error.json': {
    ...none,
    statuses: [
      {
        messageId: 'amid.ID',
        status: 'failed',
        recipient: 'CUSTOMER_PHONE_NUMBER',
        errors: [{ code: 131053, title: 'ERROR_TITLE' }],
      },
    ],
  },
  '48-status-biz-opaque-callback.json': {
    ...none,
    statuses: [
      {
        messageId: 'wamid.xyzxyz',
        status: 'sent',
        recipient: '972987654321',
        callbackData: 'some data',
        errors: undefined,
      },
    ],
  },
  '49-status-numeric-expiration.json': {
    ...none,
    statuses: [
      {
        messageId: 'wamid.ID',
        status: 'read',
        recipient: 'CUSTOMER_PHONE_NUMBER',
        timestamp: '2022-11-23T20:02:58.000Z',
      },
    ],
  },
  '50-status-group-username.json': {
    ...none,
    statuses: [{ messageId: '<WHATSAPP_MESSAGE_ID>', status: 'read', recipient: 'fowefinoewcnw' }],
  },
  '51-multiple-changes.json': {
    ...none,
    messages: [
      { id: 'wamid.ID', type: 'text', from: 'PHONE_NUMBER', text: 'MESSAGE_BODY', sentAt: '2022-11-23T20:02:58.000Z' },
      { id: 'wamid.ID', type: 'text', from: 'PHONE_NUMBER', text: 'MESSAGE_BODY2', sentAt: '2022-11-23T20:02:59.000Z' },
    ],
    // Both changes carry the same wamid: the second is a duplicate of the first job.
    stored: 1,
  },
  '52-bsuid-only-no-from.json': {
    ...none,
    messages: [
      {
        type: 'text',
        from: 'BSUID_123',
        chatId: 'BSUID_123',
        senderName: 'NAME',
        senderPhone: undefined,
        text: 'MESSAGE_BODY',
      },
    ],
  },
  '53-wa-id-and-user-id.json': {
    ...none,
    messages: [
      { type: 'text', from: 'PHONE_NUMBER', chatId: 'PHONE_NUMBER', senderName: 'NAME', text: 'MESSAGE_BODY' },
    ],
  },
  '54-smb-message-echo-text.json': { ...none, ignored: 'field smb_message_echoes' },
  '55-edit-image.json': {
    ...none,
    messages: [
      {
        id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
        type: 'edit',
        rawType: 'edit',
        from: '16505551234',
        text: 'Updated image caption',
        replyTo: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=',
        media: {
          id: '1234567890',
          caption: 'Updated image caption',
          url: 'https://media.example.com/updated-image.jpg',
          mimeType: 'image/jpeg',
        },
        sentAt: '2025-06-13T22:42:55.000Z',
      },
    ],
  },
  '56-revoke.json': {
    ...none,
    messages: [
      {
        id: '<WHATSAPP_MESSAGE_ID>',
        type: 'revoke',
        from: '<WHATSAPP_USER_PHONE_NUMBER>',
        text: '',
        replyTo: '<ORIGINAL_WHATSAPP_MESSAGE_ID>',
      },
    ],
  },
  '57-template-status-approved.json': { ...none, ignored: 'field message_template_status_update' },
  '58-template-status-rejected.json': { ...none, ignored: 'field message_template_status_update' },
  '59-account-update-disabled.json': { ...none, ignored: 'field account_update' },
  '60-account-update-restriction.json': { ...none, ignored: 'field account_update' },
  '61-account-update-restriction-placeholder.json': { ...none, ignored: 'field account_update' },
  '62-phone-number-quality-update.json': { ...none, ignored: 'field phone_number_quality_update' },
  '63-phone-number-name-update.json': { ...none, ignored: 'field phone_number_name_update' },
  '64-template-quality-update.json': { ...none, ignored: 'field message_template_quality_update' },
  '65-user-preferences.json': { ...none, ignored: 'field user_preferences' },
  '66-calls-connect.json': { ...none, ignored: 'field calls' },
  '67-username-no-phone-incoming.json': {
    ...none,
    messages: [
      {
        id: 'ABGGFlA5Fpa',
        type: 'text',
        from: 'US.13491208655302741918',
        chatId: 'US.13491208655302741918',
        senderPhone: undefined,
        senderName: 'test user name',
        text: 'this is a text message',
        sentAt: '2017-09-08T20:36:28.000Z',
      },
    ],
  },
  '68-phone-and-username-incoming.json': {
    ...none,
    messages: [
      {
        id: 'ABGGFlA5Fpa',
        type: 'text',
        from: '16315551181',
        senderPhone: '16315551181',
        senderName: 'test user name',
        text: 'this is a text message',
      },
    ],
  },
  '69-status-sent-to-bsuid-no-phone.json': {
    ...none,
    statuses: [{ messageId: 'ABGGFlA5Fpa', status: 'sent', recipient: 'US.13491208655302741918' }],
  },
  '70-status-delivered-username-to-bsuid.json': {
    ...none,
    statuses: [
      {
        messageId: 'ABGGFlA5Fpa',
        status: 'delivered',
        recipient: 'US.13491208655302741918',
        timestamp: '2017-09-08T20:36:28.000Z',
      },
    ],
  },
  '71-username-no-phone-pywa-historical.json': {
    ...none,
    messages: [
      {
        id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        type: 'text',
        from: 'US.13491208655302741918',
        senderPhone: undefined,
        senderName: 'Sheena Nelson',
        text: 'Does it come in another color?',
      },
    ],
  },
};

function normalise(name: string) {
  const p = payloads.find((x) => x.name === name);
  if (!p) throw new Error(`conformance payload ${name} missing`);
  return normalisePayload(WebhookEnvelope.parse(p.json), RECEIVED);
}

function expectedFor(name: string): Expected {
  const expected = EXPECTED[name];
  if (!expected) throw new Error(`no expectations written for ${name}`);
  return expected;
}

/**
 * `toMatchObject` with one addition: a field written as `undefined` in the expectations
 * must be absent (the message does not carry it), at any depth.
 */
function expectMatch(actual: unknown, expected: object, label?: string): void {
  const absent: string[][] = [];
  const defined = (value: object, path: string[]): object =>
    Object.fromEntries(
      Object.entries(value).flatMap(([key, v]) => {
        if (v === undefined) {
          absent.push([...path, key]);
          return [];
        }
        const plain =
          typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
        return [[key, plain ? defined(v, [...path, key]) : v]];
      }),
    );
  expect(actual, label).toMatchObject(defined(expected, []));
  for (const path of absent) expect(actual, `${label ?? ''} ${path.join('.')} must be absent`).not.toHaveProperty(path);
}

/** The distinct messages a payload stores, first occurrence of each id. */
function storedMessages(expected: Expected): ExpectedMessage[] {
  const seen = new Set<string>();
  return expected.messages.filter((m) => {
    if (m.id === undefined) return true;
    if (seen.has(m.id)) return false;
    seen.add(m.id);
    return true;
  });
}

describe('Meta conformance corpus: normalisation', () => {
  it('every payload of the corpus has expectations, and every expectation its payload', () => {
    expect(payloads.map((p) => p.name).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(payloads.length).toBeGreaterThanOrEqual(71);
  });

  it.each(payloads.map((p) => p.name))('%s yields exactly what it carries', (name) => {
    const expected = expectedFor(name);
    const { messages, statuses, refused, ignored } = normalise(name);
    expect(refused).toEqual([]);
    expect(messages).toHaveLength(expected.messages.length);
    expect(statuses).toHaveLength(expected.statuses.length);
    messages.forEach((message, i) => {
      expect(InboundSchema.safeParse(message).success).toBe(true);
      expectMatch(message, { channel: 'cloud', receivedAt: RECEIVED.toISOString(), ...expected.messages[i] });
      // Each message keeps its own id, and the story's correlation id is that id.
      expect(message.correlationId).toBe(message.id);
    });
    statuses.forEach((status, i) => {
      expectMatch(status, expected.statuses[i] ?? {});
    });
    if (expected.ignored) expect(ignored).toEqual([expected.ignored]);
    else expect(ignored).toEqual([]);
  });

  it('keeps a type WhatsApp adds later as unknown with its raw type, and reads several entries', () => {
    const msg = (id: string, extra: Record<string, unknown>) => ({
      from: '5491155550000',
      id,
      timestamp: '1763600000',
      ...extra,
    });
    const { messages } = normalisePayload(
      WebhookEnvelope.parse({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: 'A',
            changes: [
              {
                field: 'messages',
                value: {
                  messages: [
                    msg('w1', { type: 'poll_vote', poll_vote: { option: 2 } }),
                    msg('w2', { type: 'text', text: { body: 'uno' } }),
                  ],
                },
              },
            ],
          },
          {
            id: 'B',
            changes: [{ field: 'messages', value: { messages: [msg('w3', { type: 'text', text: { body: 'dos' } })] } }],
          },
        ],
      }),
      RECEIVED,
    );
    expect(messages.map((m) => [m.id, m.type, m.rawType])).toEqual([
      ['w1', 'unknown', 'poll_vote'],
      ['w2', 'text', 'text'],
      ['w3', 'text', 'text'],
    ]);
  });

  it('the expectations cover every message type the contract knows', () => {
    const types = new Set(Object.values(EXPECTED).flatMap((e) => e.messages.map((m) => m.type)));
    for (const t of InboundSchema.shape.type.options) {
      expect(types.has(t), t).toBe(true);
    }
  });
});

describe('Meta conformance corpus: through POST /webhook', () => {
  let redis: TestRedis;
  let context: GatewayContext;
  let app: HttpApp;

  beforeAll(async () => {
    redis = await startTestRedis();
    context = testContext(redis.url);
    app = await buildApp(context);
  });
  afterAll(async () => {
    await app.close();
    await context.close();
    await redis.stop();
  });

  it.each(payloads.map((p) => p.name))(
    '%s: its published bytes, signed, store exactly the expected jobs and statuses',
    async (name) => {
      const expected = expectedFor(name);
      const payload = payloads.find((p) => p.name === name)!;
      // Files share wamids (wamid.ID, wamid.xyzxyz): each file starts from an empty queue
      // and no delivery state, so that its count is its own.
      await context.producers.inbound.queue.obliterate({ force: true });
      const deliveryKeys = await context.redis('producer').keys(`${context.prefix}:gateway:delivery*`);
      if (deliveryKeys.length > 0) await context.redis('producer').del(...deliveryKeys);

      const req = buildSignedWebhookRequest({ body: payload.raw, appSecret: APP_SECRET });
      const res = await app.inject({ method: 'POST', url: '/webhook', payload: req.payload, headers: req.headers });
      expect(res.statusCode, res.body).toBe(200);
      const stored = expected.stored ?? expected.messages.length;
      expect(res.json()).toMatchObject({
        status: 'ok',
        accepted: stored,
        duplicate: expected.messages.length - stored,
        refused: 0,
        statuses: expected.statuses.length,
      });
      if (expected.ignored) expect(res.json().ignored).toBe(1);

      expect(
        await context.producers.inbound.queue.getJobCountByTypes('waiting', 'delayed', 'completed', 'failed', 'active'),
      ).toBe(stored);
      for (const message of storedMessages(expected)) {
        const jobs = await context.producers.inbound.queue.getJobs(['waiting']);
        const job = message.id ? await context.producers.inbound.queue.getJob(jobIds.inbound(message.id)) : jobs[0];
        expectMatch(job?.data, { channel: 'cloud', ...message }, message.id);
      }
      for (const status of expected.statuses) {
        expect(await context.deliveryStore.get(status.messageId)).toMatchObject({
          status: status.status,
          recipient: status.recipient,
        });
      }
    },
  );
});
