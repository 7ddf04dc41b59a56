/**
 * Offers text as a file download: a Blob URL behind an <a download> click is a download, not a
 * navigation, and needs no CSP source; the URL is revoked once the click has been handled.
 */
export function downloadText(fileName: string, mime: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
