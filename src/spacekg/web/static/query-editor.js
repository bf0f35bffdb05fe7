/*
 * The query page's editor: turns the query textarea into YASQE (static/vendor/yasqe, CodeMirror 5 inside).
 *
 * Progressive enhancement only. The page stays a server-rendered GET form: the editor writes its text back into the
 * (hidden) textarea before the form is submitted, and Ctrl+Enter / Cmd+Enter submits that same form, exactly as the
 * Run button does. Without JavaScript, or if the bundle fails to load, the plain textarea works as before.
 *
 * Nothing leaves this origin: YASQE's own query button and its fetch() to an endpoint, its share link, its remote
 * completers (Linked Open Vocabularies for classes and properties) and its bundled prefix.cc list are all switched
 * off; prefixes are completed from the prefixes the server predeclares, which the page carries in data-prefixes.
 * Nothing is kept in localStorage either: a query the page shows must be the query the URL holds.
 */
(function () {
  "use strict";

  var textarea = document.getElementById("query");
  if (!textarea || typeof window.Yasqe !== "function") {
    return;
  }
  var Yasqe = window.Yasqe;
  var form = textarea.form;
  var prefixes = JSON.parse(textarea.getAttribute("data-prefixes") || "{}");
  var names = Object.keys(prefixes).sort();

  // "PREFIX sk" offers "skg: <https://w3id.org/spacekg/ontology#>": YASQE's prefix completer with our list.
  // (In the query body, typing "skg:" also adds the declaration, as YASQE does; the server predeclares it anyway.)
  Yasqe.forkAutocompleter("prefixes", {
    name: "spacekg-prefixes",
    persistenceId: null,
    get: names.map(function (name) { return name + ": <" + prefixes[name] + ">"; })
  }, false);

  // "sk" in a triple pattern offers "skg:": a prefixed name is how most of our terms are written.
  Yasqe.registerAutocompleter({
    name: "spacekg-prefixed-names",
    bulk: true,
    autoShow: true,
    persistenceId: null,
    get: names.map(function (name) { return name + ":"; }),
    isValidCompletionPosition: function (yasqe) {
      var token = yasqe.getCompleteToken();
      if (!/^[A-Za-z][A-Za-z0-9_-]+$/.test(token.string)) {
        return false;  // two letters at least, so that "a" (rdf:type) and one-letter starts stay quiet
      }
      var previous = yasqe.getPreviousNonWsToken(yasqe.getDoc().getCursor().line, token);
      if (previous && previous.string && previous.string.toUpperCase() === "PREFIX") {
        return false;  // the declaration's own completer answers there
      }
      var possible = (token.state && token.state.possibleCurrent) || [];
      return possible.indexOf("PNAME_NS") >= 0 || possible.indexOf("PNAME_LN") >= 0;
    }
  }, false);

  // YASQE merges its configuration with lodash's merge, which merges arrays index by index: set lists on the defaults.
  Yasqe.defaults.autocompleters = ["spacekg-prefixes", "spacekg-prefixed-names", "variables"];

  function submit() {
    textarea.value = editor.getValue();
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();  // fires the submit event and the form's own checks, as the Run button does
    } else {
      form.submit();
    }
  }

  var holder = document.createElement("div");
  holder.className = "query-editor";
  textarea.parentNode.insertBefore(holder, textarea);
  var editor = new Yasqe(holder, {
    value: textarea.value,
    persistenceId: null,
    consumeShareLink: null,
    createShareableLink: null,
    showQueryButton: false,
    prefixCcApi: null,
    requestConfig: { endpoint: form.getAttribute("action") },
    resizeable: true,
    editorHeight: "20em",
    lineWrapping: true,
    screenReaderLabel: "SPARQL query",
    extraKeys: {
      "Ctrl-Enter": submit,
      "Cmd-Enter": submit,
      "Ctrl-S": function () { return undefined; }  // YASQE would save to localStorage; the URL is where a query is kept
    }
  });

  textarea.hidden = true;
  form.addEventListener("submit", function () {
    textarea.value = editor.getValue();
  });
  // The label names the editor now: point it at CodeMirror's input, so it still focuses what it labels.
  var input = editor.getInputField();
  input.id = "query-input";
  var label = form.querySelector("label[for='query']");
  if (label) {
    label.htmlFor = input.id;
  }
  var keys = document.getElementById("editor-keys");
  if (keys) {
    keys.hidden = false;
  }
}());
