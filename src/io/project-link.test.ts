import { describe, expect, it } from 'vitest';
import { ProjectLinkError } from './project-link-error';
import { projectLinkUrl } from './project-link';

const base = 'https://school.example/ml/course/index.html';
const origin = 'https://school.example';

describe('an instructor\'s project link', () => {
  it('resolves against the site the app is served from', () => {
    expect(projectLinkUrl('projects/flowers.zip', base, origin).href).toBe('https://school.example/ml/course/projects/flowers.zip');
    expect(projectLinkUrl('/other/flowers.zip', base, origin).href).toBe('https://school.example/other/flowers.zip');
  });

  it('refuses another site, however the link spells it', () => {
    for (const link of ['https://evil.example/x.zip', '//evil.example/x.zip', 'data:application/zip;base64,UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', 'blob:https://school.example/1', 'http://school.example/x.zip']) {
      expect(() => projectLinkUrl(link, base, origin), link).toThrow(ProjectLinkError);
    }
  });
});
