// "Add my location": opt-in, never required, never in the way of saving. The position is taken only when the
// user asks, with its accuracy; Save sends whatever is there at that moment (nothing while it is still looking).

import { h, uid } from "../dom.js";

const WHY_NOT = {
  1: "this phone did not allow it",
  2: "this phone could not tell where it is",
  3: "it took too long",
};

export function locationField() {
  let location = null;
  let asking = 0;
  const legendId = uid("location");
  const status = h("p", { class: "hint", role: "status" });
  const add = h("button", { type: "button", class: "button secondary" }, "Add my location");
  const remove = h("button", { type: "button", class: "button quiet", hidden: true }, "Remove the location");
  const supported = typeof navigator !== "undefined" && "geolocation" in navigator;

  const show = (text) => {
    status.textContent = text;
    remove.hidden = !location;
    add.hidden = Boolean(location);
  };
  add.addEventListener("click", () => {
    const mine = ++asking;
    add.disabled = true;
    show("Finding your location… You can save without waiting.");
    navigator.geolocation.getCurrentPosition((position) => {
      if (mine !== asking) return;
      add.disabled = false;
      const { latitude, longitude, accuracy } = position.coords;
      location = { lat: Number(latitude.toFixed(6)), lon: Number(longitude.toFixed(6)),
        accuracy_m: Number.isFinite(accuracy) ? Math.round(accuracy) : null };
      show(location.accuracy_m === null ? "Location added." : `Location added, to within ${location.accuracy_m} m.`);
    }, (error) => {
      if (mine !== asking) return;
      add.disabled = false;
      location = null;
      show(`No location: ${WHY_NOT[error.code] || "it could not be found"}. You can save without it.`);
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
  remove.addEventListener("click", () => {
    asking += 1;
    location = null;
    show("No location will be saved.");
    add.focus();
  });

  const element = supported ? h("fieldset", { class: "location", "aria-labelledby": legendId },
    h("legend", { id: legendId }, "Location (optional)"), h("div", { class: "row-actions" }, add, remove), status) : null;
  return { element, value: () => location };
}
