// places.js - display names of the states the intake takes (codes from
// GET /api/v1/tips/form "places"): Mexican states in Spanish (their own
// names in both languages), US states in English and, where it differs,
// Spanish. Data, not interface text.
export const MX = {
  AGU: "Aguascalientes", BCN: "Baja California", BCS: "Baja California Sur", CAM: "Campeche", CHP: "Chiapas",
  CHH: "Chihuahua", COA: "Coahuila", COL: "Colima", CMX: "Ciudad de México", DUR: "Durango", GUA: "Guanajuato",
  GRO: "Guerrero", HID: "Hidalgo", JAL: "Jalisco", MEX: "Estado de México", MIC: "Michoacán", MOR: "Morelos",
  NAY: "Nayarit", NLE: "Nuevo León", OAX: "Oaxaca", PUE: "Puebla", QUE: "Querétaro", ROO: "Quintana Roo",
  SLP: "San Luis Potosí", SIN: "Sinaloa", SON: "Sonora", TAB: "Tabasco", TAM: "Tamaulipas", TLA: "Tlaxcala",
  VER: "Veracruz", YUC: "Yucatán", ZAC: "Zacatecas",
};
export const US = {
  AL: "Alabama", AK: "Alaska", AZ: "Arizona", AR: "Arkansas", CA: "California", CO: "Colorado", CT: "Connecticut",
  DE: "Delaware", DC: "District of Columbia", FL: "Florida", GA: "Georgia", HI: "Hawaii", ID: "Idaho", IL: "Illinois",
  IN: "Indiana", IA: "Iowa", KS: "Kansas", KY: "Kentucky", LA: "Louisiana", ME: "Maine", MD: "Maryland",
  MA: "Massachusetts", MI: "Michigan", MN: "Minnesota", MS: "Mississippi", MO: "Missouri", MT: "Montana",
  NE: "Nebraska", NV: "Nevada", NH: "New Hampshire", NJ: "New Jersey", NM: "New Mexico", NY: "New York",
  NC: "North Carolina", ND: "North Dakota", OH: "Ohio", OK: "Oklahoma", OR: "Oregon", PA: "Pennsylvania",
  RI: "Rhode Island", SC: "South Carolina", SD: "South Dakota", TN: "Tennessee", TX: "Texas", UT: "Utah",
  VT: "Vermont", VA: "Virginia", WA: "Washington", WV: "West Virginia", WI: "Wisconsin", WY: "Wyoming",
};
export const US_ES = {
  DC: "Distrito de Columbia", HI: "Hawái", LA: "Luisiana", NH: "Nuevo Hampshire", NJ: "Nueva Jersey",
  NM: "Nuevo México", NY: "Nueva York", NC: "Carolina del Norte", ND: "Dakota del Norte", PA: "Pensilvania",
  SC: "Carolina del Sur", SD: "Dakota del Sur", TX: "Texas", VA: "Virginia", WV: "Virginia Occidental",
};

export function stateName(country, code, lang) {
  if (country === "MX") return MX[code] || code;
  return (lang === "es" && US_ES[code]) || US[code] || code;
}
