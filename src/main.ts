import { mount } from 'svelte';
import './ui/shell/global.css';
import { setupI18n } from './i18n';
import App from './App.svelte';

setupI18n();
mount(App, { target: document.getElementById('app')! });
