// plot.js - an alert's weekly counts with the upper bound and the alarm
// weeks (uPlot, canvas: no inline script or style element, CSP-clean).
import uPlot from "uplot";
import { h } from "./dom.js";
import { locale, t } from "./i18n.js";

export function seriesPlot(container, series, width) {
  const xs = series.weeks.map((w) => Date.parse(`${w.week}T00:00:00Z`) / 1000);
  const counts = series.weeks.map((w) => w.count);
  const upper = series.weeks.map((w) => (w.upper === null ? null : w.upper));
  const alarms = series.weeks.map((w) => (w.alarm ? w.count : null));
  const fmt = new Intl.DateTimeFormat(locale(), { month: "short", year: "numeric", timeZone: "UTC" });
  const opts = {
    width,
    height: 260,
    title: t("alerts.plot_title"),
    scales: { x: { time: true } },
    axes: [{ values: (u, vals) => vals.map((v) => fmt.format(new Date(v * 1000))) }, { label: t("alerts.plot_count") }],
    series: [
      { label: t("alerts.plot_week"), value: (u, v) => (v === null ? "" : fmt.format(new Date(v * 1000))) },
      { label: t("alerts.plot_count"), stroke: "#1f4e8c", width: 1.5 },
      { label: t("alerts.plot_upper"), stroke: "#8a5a00", dash: [6, 4], width: 1.5 },
      { label: t("alerts.plot_alarm"), stroke: "#b00020", width: 0, points: { show: true, size: 9, fill: "#b00020" } },
    ],
  };
  const wrap = h("figure", { class: "plot" });
  container.appendChild(wrap);
  const plot = new uPlot(opts, [xs, counts, upper, alarms], wrap);
  const nAlarms = alarms.filter((x) => x !== null).length;
  wrap.appendChild(h("figcaption", {}, t("alerts.plot_caption", { weeks: series.weeks.length, alarms: nAlarms })));
  return plot;
}
