/* Herald console: a "Copy" button for read-only fields that hold something to copy once (a new
   API token). Without script the field is still selectable; the button stays hidden. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copyStatus);
    if (!field) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      field.focus();
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (_err) {
        document.execCommand("copy");
      }
      if (status) status.textContent = button.dataset.copied || "";
    });
  }
});
