// Transcript download (issue 13, §4): the visitor saves the conversation as a text file and as
// a web page; each holds every message, the web page with every wire string escaped.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startParley, axeViolations } from '../lib/harness.mjs';
import { Visitor, GREETING, HELP, exactly } from '../lib/visitor.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

/** Clicks "Download transcript", then the format `choice`; returns the file's name and text. */
async function download(visitor, choice) {
  await visitor.page.getByRole('button', { name: 'Download transcript' }).click();
  const group = visitor.page.getByRole('group', { name: 'Download transcript' });
  const [file] = await Promise.all([
    visitor.page.waitForEvent('download'),
    group.getByRole('button', { name: choice }).click(),
  ]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

test('the saved transcript, as text and as a web page, holds every message', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  const markup = '<b>bold</b> & <script>alert(1)</script>';
  try {
    await visitor.greet();
    await visitor.send(markup);
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP) });
    await visitor.waitForEntry({ kind: 'guest', text: exactly(markup), state: 'sent' });
    // After a reload the window shows what history brought back; the file comes from history.
    await visitor.page.reload();
    await visitor.waitUntilReady();
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP) });

    const text = await download(visitor, 'Text file');
    assert.equal(text.name, 'Chat transcript.txt');
    for (const message of ['You: hello', `: ${GREETING}`, `You: ${markup}`, `: ${HELP}`]) {
      assert.ok(text.text.includes(message), `the text file has "${message}":\n${text.text}`);
    }
    assert.ok(
      text.text.indexOf('You: hello') < text.text.indexOf(`You: ${markup}`),
      'messages are in order',
    );

    const page = await download(visitor, 'Web page (HTML)');
    assert.equal(page.name, 'Chat transcript.html');
    const escape = (s) =>
      s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
    for (const message of ['hello', GREETING, markup, HELP]) {
      assert.ok(page.text.includes(escape(message)), `the web page has "${message}" escaped:\n${page.text}`);
    }
    assert.ok(!page.text.includes('<script>') && !page.text.includes('<b>'), 'no wire text became markup');

    // The saved page is accessible: opened on its own, axe finds nothing.
    const viewer = await parley.newPage();
    try {
      await viewer.setContent(page.text);
      assert.equal(await viewer.locator('h1').textContent(), 'Chat transcript');
      assert.equal(await viewer.locator('li').count() >= 4, true, 'one list item per message');
      assert.deepEqual(await axeViolations(viewer), []);
    } finally {
      await viewer.closeContext();
    }
  } finally {
    await visitor.leave();
  }
});

test('"End chat" offers the transcript before the conversation ends', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.greet();
    await visitor.page.getByRole('button', { name: 'End chat', exact: true }).click();
    const confirm = visitor.page.getByRole('group', { name: 'End this conversation?' });
    await confirm.getByRole('button', { name: 'Download transcript' }).click();
    const group = visitor.page.getByRole('group', { name: 'Download transcript' });
    const [file] = await Promise.all([
      visitor.page.waitForEvent('download'),
      group.getByRole('button', { name: 'Text file' }).click(),
    ]);
    const text = await readFile(await file.path(), 'utf8');
    assert.ok(text.includes('You: hello') && text.includes(GREETING), text);
    // The conversation is still live: ending it is the visitor's next choice.
    await visitor.waitForConnection('ready');
  } finally {
    await visitor.leave();
  }
});
