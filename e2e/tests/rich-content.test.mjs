// Rich content from the agent: quick replies render as buttons that send the choice and go away;
// a card renders its title, description, a Postback button that the bot answers and a Link that
// opens in a new tab without handing the page over (rel="noopener noreferrer"); a carousel holds
// several cards with previous/next buttons.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor, exactly } from '../lib/visitor.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

test('quick replies render as buttons; a click sends the choice, hides them, and the bot names it', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await visitor.send('options');
    await visitor.waitForEntry({ kind: 'bot', text: exactly('What can I help you with?') });

    const group = visitor.quickReplies;
    await group.waitFor();
    const labels = await group.getByRole('button').allTextContents();
    assert.deepEqual(labels.map((label) => label.trim()), ['Billing', 'Delivery', 'Returns']);

    await group.getByRole('button', { name: 'Delivery' }).click();
    await group.waitFor({ state: 'detached' });
    await visitor.waitForEntry({ kind: 'guest', text: exactly('Delivery'), state: 'sent' });
    await visitor.waitForEntry({ kind: 'bot', text: exactly('You chose "Delivery".') });

    const token = await visitor.token();
    const transcript = await parley.server.transcript(token);
    const choices = transcript.messages.filter(
      (message) => message.direction === 'Inbound' && JSON.stringify(message.content ?? []).includes('ButtonResponse'),
    );
    assert.equal(choices.length, 1, `one ButtonResponse reached the emulator: ${JSON.stringify(transcript.messages)}`);
    assert.match(JSON.stringify(choices[0].content), /"payload":"delivery"/);
  } finally {
    await visitor.leave();
  }
});

test('a card shows title and description, its Postback is answered, its Link is a safe new-tab link', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await visitor.send('card');
    await visitor.waitForEntry({ kind: 'bot', text: exactly('Here is a card.') });

    const card = visitor.page.locator('[data-parley-card]');
    await card.waitFor();
    assert.equal(await card.evaluate((element) => element.tagName.toLowerCase()), 'article');
    await card.getByRole('heading', { name: 'Parley' }).waitFor();
    assert.match(await card.textContent(), /Open-source guest chat for Genesys Cloud\./);

    const link = card.getByRole('link', { name: 'Open the website' });
    assert.equal(await link.getAttribute('href'), 'https://example.com/parley/parley');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.deepEqual((await link.getAttribute('rel')).split(/\s+/).sort(), ['noopener', 'noreferrer']);

    await card.getByRole('button', { name: 'Tell me more about Parley' }).click();
    await visitor.waitForEntry({ kind: 'bot', text: exactly('You selected "Tell me more about Parley".') });
  } finally {
    await visitor.leave();
  }
});

test('a carousel shows its cards in order with previous and next buttons', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await visitor.send('carousel');
    await visitor.waitForEntry({ kind: 'bot', text: exactly('Here are a few cards.') });

    const carousel = visitor.page.locator('[data-parley-carousel]');
    await carousel.waitFor();
    const titles = await carousel.locator('[data-parley-card]').getByRole('heading').allTextContents();
    assert.deepEqual(titles.map((title) => title.trim()), ['Chat', 'Server', 'Headless']);
    const buttons = (await carousel.getByRole('button').allTextContents()).map((text) => text.trim());
    assert.equal(buttons.filter((text) => text.startsWith('Tell me more about')).length, 3, buttons.join(', '));
    assert.ok((await carousel.getByRole('button').count()) >= 5, `previous/next buttons besides the postbacks: ${buttons}`);

    await carousel.getByRole('button', { name: 'Tell me more about Headless' }).click();
    await visitor.waitForEntry({ kind: 'bot', text: exactly('You selected "Tell me more about Headless".') });
  } finally {
    await visitor.leave();
  }
});
