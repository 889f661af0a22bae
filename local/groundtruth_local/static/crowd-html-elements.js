/*
 * A local implementation of the Crowd HTML Elements a Ground Truth image-classification
 * template uses: <crowd-form>, <crowd-image-classifier> (with <short-instructions>,
 * <full-instructions>, <worker-comment>). Same element names, attributes and submitted JSON
 * as AWS's, so a template written for Ground Truth runs here unchanged.
 *
 * Keyboard first: digits 1-9 (0 = tenth) pick a category, Enter submits, "i" opens the full
 * instructions, Escape closes them. The answer goes through the page's own POST form (with
 * its CSRF token), so a browser and a script use the same route.
 */
(function () {
  "use strict";
  if (window.customElements.get("crowd-form")) {
    return; // the template included us a second time
  }

  function parseCategories(text) {
    if (!text) return [];
    try {
      return JSON.parse(text);
    } catch (error) {
      // AWS's examples also use single-quoted lists: ['Cat', 'Dog'].
      return JSON.parse(text.replace(/'/g, '"'));
    }
  }

  // Elements upgrade as soon as their start tag is parsed, before their children exist:
  // build once the whole document is there.
  function whenParsed(build) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", build, { once: true });
    } else {
      build();
    }
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => node.setAttribute(key, value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  class CrowdImageClassifier extends HTMLElement {
    connectedCallback() {
      whenParsed(() => this.build());
    }

    build() {
      if (this._built) return;
      this._built = true;
      this.value = null;
      const categories = parseCategories(this.getAttribute("categories"));
      const shortInstructions = this.querySelector("short-instructions");
      const fullInstructions = this.querySelector("full-instructions");
      const comment = this.querySelector("worker-comment");

      const layout = el("div", { class: "gt-classifier" });
      const side = el("aside", { class: "gt-instructions" });
      if (shortInstructions) side.appendChild(shortInstructions);
      if (fullInstructions) {
        const open = el("button", { type: "button", class: "gt-link", id: "gt-open-full" },
          "View full instructions (i)");
        open.addEventListener("click", () => this.openFull());
        side.appendChild(open);
        this._dialog = el("dialog", { class: "gt-full", id: "gt-full-instructions" });
        this._dialog.appendChild(el("h2", {}, fullInstructions.getAttribute("header") || "Instructions"));
        this._dialog.appendChild(fullInstructions);
        const close = el("button", { type: "button" }, "Close (Esc)");
        close.addEventListener("click", () => this._dialog.close());
        this._dialog.appendChild(close);
        side.appendChild(this._dialog);
      }
      const main = el("section", { class: "gt-main" });
      main.appendChild(el("h2", { class: "gt-header" }, this.getAttribute("header") || ""));
      const image = el("img", { class: "gt-image", alt: "the image to classify", id: "gt-image" });
      image.src = this.getAttribute("src") || "";
      main.appendChild(image);
      const list = el("div", { class: "gt-categories", role: "radiogroup" });
      this._buttons = categories.map((category, index) => {
        const key = index < 9 ? String(index + 1) : index === 9 ? "0" : "";
        const button = el("button", {
          type: "button", role: "radio", "aria-checked": "false",
          class: "gt-category", "data-label": category,
        });
        if (key) button.appendChild(el("kbd", {}, key));
        button.appendChild(document.createTextNode(" " + category));
        button.addEventListener("click", () => this.choose(index));
        list.appendChild(button);
        return button;
      });
      main.appendChild(list);
      if (comment) {
        const label = el("label", { class: "gt-comment" }, comment.getAttribute("header") || "Comment");
        this._comment = el("textarea", {
          id: "gt-worker-comment", placeholder: comment.getAttribute("placeholder") || "",
          maxlength: "2000",
        });
        label.appendChild(this._comment);
        main.appendChild(label);
        comment.remove();
      }
      layout.appendChild(side);
      layout.appendChild(main);
      this.appendChild(layout);
      this._categories = categories;
    }

    choose(index) {
      if (index < 0 || index >= this._categories.length) return;
      this.value = this._categories[index];
      this._buttons.forEach((button, i) => {
        button.setAttribute("aria-checked", i === index ? "true" : "false");
        button.classList.toggle("gt-selected", i === index);
      });
      this.dispatchEvent(new CustomEvent("crowd-element-change", { bubbles: true }));
    }

    openFull() {
      if (this._dialog && !this._dialog.open) this._dialog.showModal();
    }

    answer() {
      if (this.value === null) return null;
      const result = { label: this.value };
      if (this._comment && this._comment.value.trim()) result.workerComment = this._comment.value;
      return result;
    }
  }

  class CrowdForm extends HTMLElement {
    connectedCallback() {
      whenParsed(() => this.build());
    }

    build() {
      if (this._built) return;
      this._built = true;
      const bar = el("div", { class: "gt-actions" });
      this._submit = el("button", { type: "button", id: "gt-submit", disabled: "" }, "Submit (Enter)");
      this._submit.addEventListener("click", () => this.submit());
      bar.appendChild(this._submit);
      const decline = document.getElementById("gt-decline-form");
      if (decline) {
        const button = el("button", { type: "button", id: "gt-decline", class: "gt-secondary" },
          "Decline task");
        button.addEventListener("click", () => decline.submit());
        bar.appendChild(button);
      }
      this.appendChild(bar);
      this.addEventListener("crowd-element-change", () => this.refresh());
      document.addEventListener("keydown", (event) => this.onKey(event));
    }

    elements() {
      return Array.from(this.querySelectorAll("crowd-image-classifier"));
    }

    ready() {
      return !window.gtExpired && this.elements().every((element) => element.answer() !== null);
    }

    refresh() {
      this._submit.disabled = !this.ready();
    }

    onKey(event) {
      const target = event.target;
      const typing = target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT");
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      const classifier = this.elements()[0];
      if (/^[0-9]$/.test(event.key) && classifier) {
        classifier.choose(event.key === "0" ? 9 : Number(event.key) - 1);
        event.preventDefault();
      } else if (event.key === "Enter") {
        event.preventDefault();
        this.submit();
      } else if ((event.key === "i" || event.key === "?") && classifier) {
        classifier.openFull();
        event.preventDefault();
      }
    }

    submit() {
      if (!this.ready() || this._sent) return;
      const answer = {};
      this.elements().forEach((element) => {
        answer[element.getAttribute("name") || "crowd-image-classifier"] = element.answer();
      });
      const form = document.getElementById("gt-submit-form");
      form.querySelector("input[name=answer]").value = JSON.stringify(answer);
      this._sent = true;
      this._submit.disabled = true;
      form.submit();
    }
  }

  function startCountdown() {
    const task = document.getElementById("gt-task");
    const display = document.getElementById("gt-countdown");
    if (!task || !display) return;
    const deadline = Number(task.dataset.deadline);
    function update() {
      const left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      display.textContent = `Time left ${minutes}:${seconds}`;
      if (left === 0) {
        window.gtExpired = true;
        display.textContent = "Time is up: this task went back to the pool.";
        document.querySelectorAll("crowd-form").forEach((form) => form.refresh && form.refresh());
        return;
      }
      window.setTimeout(update, 500);
    }
    update();
  }

  window.customElements.define("crowd-image-classifier", CrowdImageClassifier);
  window.customElements.define("crowd-form", CrowdForm);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startCountdown);
  } else {
    startCountdown();
  }
})();
