// Every console view, in navigation order. Add a view: one file in this folder, one line here.
import type { View } from '../types';
import { homeView } from './home';

export const VIEWS: View[] = [homeView];
