// The pre-chat form (issue 13, §2): `<parley-chat prechat="name,email,consent">` asks before
// the first message, refuses a bad answer with an error tied to its field, keeps its answers
// over a reload, skips what the host filled with `window.parley.setAttributes`, and the answers
// reach Genesys (the emulator) as custom attributes of the first message. axe-core finds no
// violation in the form, with or without an error shown.
//
// The contexts that run axe bypass the page's CSP, as the other accessibility checks do (the
// CSP itself is tested in safety.test.mjs).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley, axeViolations } from '../lib/harness.mjs';
import { Visitor, exactly, preparePage } from '../lib/visitor.mjs';
import { startHost, hostPage, iframeHostCsp } from '../lib/host.mjs';

let parley;
let host;
before(async () => {
  // A host site on another origin, for the iframe mode: Parley must allow it by CORS.
  host = await startHost();
  parley = await startParley({ env: { PARLEY_ALLOWED_ORIGINS: host.origin } });
  host.pages['/iframe'] = {
    html: hostPage(parley.server.origin, { scriptAttributes: 'data-isolation="iframe" data-prechat="name,email"' }),
    csp: iframeHostCsp(parley.server.origin),
  };
});
after(async () => {
  await parley?.close();
  await host?.close();
});

/** The custom attributes the emulator recorded on the guest's message `text`. */
async function attributesOf(visitor, text) {
  const transcript = await parley.server.transcript(await visitor.token());
  const message = transcript.messages.find((m) => m.direction === 'Inbound' && m.text === text);
  return message?.channel?.metadata?.customAttributes;
}

/** The text of the element a field's aria-describedby names (inside the window's shadow root). */
function description(locator) {
  return locator.evaluate((input) => {
    const id = input.getAttribute('aria-describedby');
    return id ? input.getRootNode().getElementById(id)?.textContent ?? null : null;
  });
}

test('the form refuses a bad email accessibly, survives a reload, and its answers arrive as custom attributes', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley, {
    path: '/?open=1&prechat=name,email,consent',
    context: { bypassCSP: true },
  });
  const { page } = visitor;
  try {
    const form = page.locator('[data-parley-prechat]');
    await form.waitFor();
    assert.equal(await visitor.input.count(), 0, 'no message box before the form is answered');
    assert.deepEqual(await axeViolations(page), [], 'the form');

    const email = page.getByRole('textbox', { name: 'Email' });
    await page.getByRole('textbox', { name: 'Name' }).fill('Jane Doe');
    await email.fill('jane@');
    await page.getByRole('checkbox', { name: /I agree/ }).check();
    await page.getByRole('button', { name: 'Start chat' }).click();

    await page.waitForFunction(
      () => window.__parleyE2E.activeElement()?.id === 'parley-prechat-email',
      null,
      { timeout: 5_000 },
    );
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.equal(await description(email), 'Please enter an email address like name@example.com.');
    assert.equal(await visitor.input.count(), 0, 'a refused answer keeps the form');
    assert.deepEqual(await axeViolations(page), [], 'the form with an error');

    await email.fill('jane@example.com');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await visitor.waitUntilReady();

    // Answered but nothing sent yet: a reload neither asks again nor loses the answers.
    await page.reload();
    await visitor.waitUntilReady();
    assert.equal(await form.count(), 0, 'not asked again');

    await visitor.send('hello');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('hello'), state: 'sent' });
    assert.deepEqual(await attributesOf(visitor, 'hello'), {
      name: 'Jane Doe',
      email: 'jane@example.com',
      consent: 'true',
    });
  } finally {
    await visitor.leave();
  }
});

test('fields the host filled with setAttributes are skipped, and all filled means no form', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley, { path: '/?prechat=name,email,consent' });
  const { page } = visitor;
  try {
    await page.waitForFunction(() => window.parley?.loader === 1);
    await page.evaluate(() => window.parley.setAttributes({ name: 'Jane', email: 'jane@example.com' }));
    await visitor.launcher.click();
    const consent = page.getByRole('checkbox', { name: /I agree/ });
    await consent.waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).count(), 0, 'the name is the host\'s');
    assert.equal(await page.getByRole('textbox', { name: 'Email' }).count(), 0, 'the email is the host\'s');
    await consent.check();
    await page.getByRole('button', { name: 'Start chat' }).click();
    await visitor.waitUntilReady();
    await visitor.send('hi there');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('hi there'), state: 'sent' });
    assert.deepEqual(await attributesOf(visitor, 'hi there'), {
      name: 'Jane',
      email: 'jane@example.com',
      consent: 'true',
    });
  } finally {
    await visitor.leave();
  }

  const filled = await Visitor.arrive(parley, { path: '/?prechat=name' });
  try {
    await filled.page.waitForFunction(() => window.parley?.loader === 1);
    await filled.page.evaluate(() => window.parley.setAttributes({ name: 'Jane' }));
    await filled.launcher.click();
    await filled.waitUntilReady();
    assert.equal(await filled.page.locator('[data-parley-prechat]').count(), 0, 'nothing left to ask');
  } finally {
    await filled.leave();
  }
});

test('a visitor already in a conversation is not asked when the page starts asking', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley, { path: '/?open=1' });
  const { page } = visitor;
  try {
    await visitor.waitUntilReady();
    await visitor.send('already talking');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('already talking'), state: 'sent' });

    // The site adds a pre-chat form; the visitor comes back to the ongoing conversation.
    await page.goto(new URL('/?open=1&prechat=name,email', page.url()).href);
    await visitor.waitUntilReady();
    await visitor.waitForEntry({ kind: 'guest', text: exactly('already talking'), state: 'sent' });
    await visitor.waitForEnabled(visitor.input);
    assert.equal(await page.locator('[data-parley-prechat]').count(), 0, 'the first message has gone: too late to ask');
    await visitor.send('and more');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('and more'), state: 'sent' });
  } finally {
    await visitor.leave();
  }
});

test('a JSON form set as window.parley before the loader runs, with localised labels', { timeout: 90_000 }, async () => {
  // What a host page's own script does before the loader's tag.
  const preset = (page) =>
    page.addInitScript(() => {
      window.parley = {
        prechat: [{ key: 'orderId', label: { en: 'Order number', de: 'Bestellnummer' } }, 'phone'],
        attributes: { name: 'Jane' },
      };
    });
  const german = await Visitor.arrive(parley, { path: '/?open=1&lang=de', beforeNavigation: preset });
  try {
    await german.page.getByRole('textbox', { name: 'Bestellnummer' }).waitFor();
    await german.page.getByRole('textbox', { name: 'Telefon (optional)' }).waitFor();
    await german.page.getByRole('button', { name: 'Chat starten' }).waitFor();
  } finally {
    await german.leave();
  }

  const visitor = await Visitor.arrive(parley, { path: '/?open=1', beforeNavigation: preset });
  try {
    await visitor.page.getByRole('textbox', { name: 'Order number' }).fill('A-1042');
    await visitor.page.getByRole('button', { name: 'Start chat' }).click();
    await visitor.waitUntilReady();
    await visitor.send('where is it');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('where is it'), state: 'sent' });
    assert.deepEqual(await attributesOf(visitor, 'where is it'), { name: 'Jane', orderId: 'A-1042' }, 'an empty optional phone is not sent');
  } finally {
    await visitor.leave();
  }
});

test('the iframe mode passes the form on: it asks inside the frame and its answers arrive', { timeout: 90_000 }, async () => {
  const page = await parley.newPage();
  await preparePage(page);
  try {
    // The frame's storage is out of the test's reach: the token comes from the socket.
    let token = null;
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        const request = JSON.parse(String(payload));
        if (request.action === 'onMessage') token = request.token;
      }),
    );
    await page.goto(host.url('/iframe'));
    await page.getByRole('button', { name: /^Open chat/ }).click();
    const frame = await (await page.locator('iframe.parley-frame').elementHandle()).contentFrame();
    const visitor = new Visitor(page, parley.server, frame);
    await frame.getByRole('textbox', { name: 'Name' }).fill('Jo');
    await frame.getByRole('textbox', { name: 'Email' }).fill('jo@example.com');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await visitor.waitUntilReady();
    await visitor.send('framed');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('framed'), state: 'sent' });
    assert.ok(token, 'the onMessage was seen on the socket');
    const transcript = await parley.server.transcript(token);
    const framed = transcript.messages.find((m) => m.direction === 'Inbound' && m.text === 'framed');
    assert.deepEqual(framed?.channel?.metadata?.customAttributes, { name: 'Jo', email: 'jo@example.com' });
  } finally {
    await page.closeContext();
  }
});
