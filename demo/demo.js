// The demo page's own script (not part of Parley): `?open=1`, `?lang=de`, `?launcher=off`, `?storage=session`
// and `?prechat=name,email`
// in this page's URL become attributes of the <parley-chat> element, which a host page may
// place itself. Without them the loader adds a plain <parley-chat> at the end of <body>.
(() => {
  const params = new URLSearchParams(location.search);
  if (!['open', 'lang', 'launcher', 'storage', 'prechat'].some((name) => params.has(name))) return;
  const chat = document.createElement('parley-chat');
  for (const name of ['lang', 'launcher', 'storage', 'prechat']) {
    if (params.has(name)) chat.setAttribute(name, params.get(name));
  }
  if (params.has('open') && params.get('open') !== '0') chat.setAttribute('open', '');
  document.body.append(chat);
})();
