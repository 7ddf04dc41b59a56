import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';

/** Shown in both languages: without the engine there is no language setting to follow. */
export function UnauthorizedScreen() {
  return (
    <main className="unauthorized" data-testid="unauthorized" role="alert">
      <div lang="zh-CN">
        <h1>{zhCN['unauthorized.title']}</h1>
        <p>{zhCN['unauthorized.body']}</p>
      </div>
      <div lang="en">
        <h1>{en['unauthorized.title']}</h1>
        <p>{en['unauthorized.body']}</p>
      </div>
    </main>
  );
}
