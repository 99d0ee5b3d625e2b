// kinship.js - the forensic role's page. Running cases from the browser
// (case folder upload, LR per marker, blind search jobs) is not built yet
// (docs/web.md, "Left"): the page says where the work is done today.
import { h, mount, raw } from "../dom.js";
import { t } from "../i18n.js";

export function kinshipPage(main) {
  mount(
    main,
    h("h1", {}, t("kinship.title")),
    h("p", {}, t("kinship.purpose")),
    h("p", {}, t("kinship.not_yet")),
    h("ul", {}, h("li", {}, raw("puente kinship pairwise", "code")), h("li", {}, raw("POST /api/v1/kinship/pairwise", "code"))),
  );
}
