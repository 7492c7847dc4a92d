import { mount } from 'svelte';
import './ui/shell/global.css';
import { setupI18n } from './i18n';
import { chapters } from './lessons/content';
import { lms } from './lms/lms.svelte';
import App from './App.svelte';

setupI18n();
lms.start(window, chapters.map((c) => c.id));
mount(App, { target: document.getElementById('app')! });
