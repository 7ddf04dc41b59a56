/** The review list's row height in px (the CSS gives .rv-item the same): windowing needs it. */
export const RV_ROW_HEIGHT = 58;
