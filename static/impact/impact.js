// The report's Print button: shown only when scripts run (the page prints without it too).
document.querySelectorAll("[data-impact-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
