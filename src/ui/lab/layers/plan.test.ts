import { describe, expect, it } from 'vitest';
import type { LayerInfo } from '../../../ml/layers';
import { groupState, setGroup, setRange } from './plan';

const layer = (name: string, group: string, weighted = true): LayerInfo => ({
  index: 0, name, kind: 'conv', group, block: group.startsWith('block-') ? Number(group.slice(6)) : null, replaced: group === 'imagenet-head', outputShape: [null, 1], params: 1, trainableParams: 1, trainableWeights: weighted, trainable: true,
});
const layers = [layer('conv1', 'stem'), layer('conv1_relu', 'stem', false), layer('conv_dw_1', 'block-1'), layer('conv_pw_1', 'block-1'), layer('conv_preds', 'imagenet-head')];

describe('layer plan edits', () => {
  it('shift-click range sets only weighted base layers, in either direction', () => {
    const plan = setRange({}, layers, 'conv_preds', 'conv1', true);
    expect(plan).toEqual({ conv1: true, conv_dw_1: true, conv_pw_1: true });
  });
  it('block switch reports mixed and sets the whole block', () => {
    expect(groupState({ conv_dw_1: true }, layers, 'block-1')).toBe('mixed');
    const plan = setGroup({ conv_dw_1: true }, layers, 'block-1', true);
    expect(groupState(plan, layers, 'block-1')).toBe('on');
    expect(groupState(setGroup(plan, layers, 'block-1', false), layers, 'block-1')).toBe('off');
  });
});
