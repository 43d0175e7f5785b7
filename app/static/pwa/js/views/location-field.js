// "Add my location": opt-in, never required, never in the way of saving. The position is taken only when the
// user asks, with its accuracy; Save sends whatever is there at that moment (nothing while it is still looking).

import { h, uid } from "../dom.js";
import { t } from "../i18n.js";

const WHY_NOT = {
  1: t("location.denied"),
  2: t("location.unknown"),
  3: t("location.timeout"),
};

export function locationField() {
  let location = null;
  let asking = 0;
  const legendId = uid("location");
  const status = h("p", { class: "hint", role: "status" });
  const add = h("button", { type: "button", class: "button secondary" }, t("location.add"));
  const remove = h("button", { type: "button", class: "button quiet", hidden: true }, t("location.remove"));
  const supported = typeof navigator !== "undefined" && "geolocation" in navigator;

  const show = (text) => {
    status.textContent = text;
    remove.hidden = !location;
    add.hidden = Boolean(location);
  };
  add.addEventListener("click", () => {
    const mine = ++asking;
    add.disabled = true;
    show(t("location.finding"));
    navigator.geolocation.getCurrentPosition((position) => {
      if (mine !== asking) return;
      add.disabled = false;
      const { latitude, longitude, accuracy } = position.coords;
      location = { lat: Number(latitude.toFixed(6)), lon: Number(longitude.toFixed(6)),
        accuracy_m: Number.isFinite(accuracy) ? Math.round(accuracy) : null };
      show(location.accuracy_m === null ? t("location.added") : t("location.addedWithin", { metres: location.accuracy_m }));
    }, (error) => {
      if (mine !== asking) return;
      add.disabled = false;
      location = null;
      show(t("location.none", { why: WHY_NOT[error.code] || t("location.notFound") }));
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
  remove.addEventListener("click", () => {
    asking += 1;
    location = null;
    show(t("location.removed"));
    add.focus();
  });

  const element = supported ? h("fieldset", { class: "location", "aria-labelledby": legendId },
    h("legend", { id: legendId }, t("location.legend")), h("div", { class: "row-actions" }, add, remove), status) : null;
  return { element, value: () => location };
}
