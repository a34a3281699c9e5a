/// <reference lib="dom" />
import { createElement as h, useState } from "react";
import { createRoot } from "react-dom/client";
import Form from "@rjsf/core";
import validator from "@rjsf/validator-ajv8";

function App() {
  const [n, setN] = useState(0);
  return h(
    "div",
    null,
    h(Form, {
      schema: { type: "object", properties: { a: { type: "integer" } } },
      validator,
      onSubmit: () => setN(n + 1),
    }),
    String(n),
  );
}
const el = document.getElementById("app");
if (el) createRoot(el).render(h(App));
