// The consent page without this script works the same: a ticked « Partager » shares its whole block,
// otherwise only the fields ticked one by one. With it, the two stay in step on screen: ticking
// « Partager » ticks every field of the block, unticking one field unticks « Partager », and a block
// with some fields ticked shows « Partager » as partly ticked.
for (const block of document.querySelectorAll('[data-block]')) {
  const whole = block.querySelector('input[name="scopes"]');
  const fields = [...block.querySelectorAll('input[name="fields"]')];
  if (!whole || !fields.length) continue;
  const sync = () => {
    const ticked = fields.filter((f) => f.checked).length;
    whole.checked = ticked === fields.length;
    whole.indeterminate = ticked > 0 && ticked < fields.length;
  };
  whole.addEventListener('change', () => {
    for (const f of fields) f.checked = whole.checked;
    whole.indeterminate = false;
  });
  for (const f of fields) f.addEventListener('change', sync);
  sync();
}
