// The console's landing view: who is signed in, on which node and chain.
import { h } from '../../lib/dom';
import type { View } from '../types';

export const homeView: View = {
  id: 'home',
  title: 'home.title',
  messages: {
    en: { 'home.title': 'Overview', 'home.signedIn': 'Signed in as {user} ({roles}).', 'home.node': 'This node: {name}, participant {participant}, on chain {chainId}.' },
    zh: { 'home.title': '概览', 'home.signedIn': '当前用户 {user}（{roles}）。', 'home.node': '本节点：{name}，参与方 {participant}，链 {chainId}。' },
  },
  render(root, ctx) {
    root.append(
      h('p', null, ctx.t('home.signedIn', { user: ctx.user.username, roles: ctx.user.roles.join(', ') })),
      h('p', null, ctx.t('home.node', { name: ctx.network.participantName, participant: ctx.network.participant, chainId: ctx.network.chainId })),
    );
  },
};
