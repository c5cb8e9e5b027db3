// The demo page's own script (not part of Parley): `?open=1` and `?lang=de` in this page's URL
// become attributes of the <parley-chat> element, which a host page may place itself. Without
// them the loader adds a plain <parley-chat> at the end of <body>.
(() => {
  const params = new URLSearchParams(location.search);
  if (!params.has('open') && !params.has('lang')) return;
  const chat = document.createElement('parley-chat');
  if (params.has('lang')) chat.setAttribute('lang', params.get('lang'));
  if (params.has('open') && params.get('open') !== '0') chat.setAttribute('open', '');
  document.body.append(chat);
})();
