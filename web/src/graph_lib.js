// graph_lib.js - cytoscape, bundled on its own (build/web/graph-lib.js) and
// loaded by the network page only, so the other pages' first load stays small
// (docs/graph.md "Web page").
import cytoscape from "cytoscape";

// cytoscape inserts a <style> for its container unless an element with this
// id exists; the CSP allows no inline style, so the rule is in app.css and
// this marker stops the insertion.
if (!document.getElementById("__________cytoscape_stylesheet")) {
  const m = document.createElement("meta");
  m.id = "__________cytoscape_stylesheet";
  document.head.appendChild(m);
}

window.PuenteCytoscape = cytoscape;
