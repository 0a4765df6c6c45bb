"""``zoufang rebalance``: the at-risk cadres' proposal, shown, then applied in one command.

Applying checks that the proposal is the one shown (its key), then makes each move the one
audited way a target changes cadre (``store.override``), every one with the reason and the
proposal's key; the next re-plan routes them.
"""

from __future__ import annotations

from pathlib import Path

from optimizer.domain.model import Campaign
from optimizer.domain.pairing import check_override
from optimizer.reports.proposals import Proposal, rebalance
from workers.commands.campaign import open_campaign
from workers.errors import ProposalChanged


def proposal(campaign_dir: Path) -> tuple[Campaign, Proposal]:
    """The proposal for the current plan."""
    _, store, campaign_id = open_campaign(campaign_dir)
    campaign = store.load_campaign(campaign_id)
    version, _ = store.current_version(campaign_id)
    plan = store.plan(campaign_id, version)
    return campaign, rebalance(campaign, plan, store.owners(campaign_id))


def apply(campaign_dir: Path, key: str, reason: str, actor: str) -> Proposal:
    """Apply the proposal whose key is ``key`` (refused if the plan changed since)."""
    campaign, current = proposal(campaign_dir)
    if current.key != key.strip():
        raise ProposalChanged(
            f"调整方案已变化（现在是 {current.key}，不是 {key}）：请重新运行 zoufang rebalance 查看"
        )
    _, store, campaign_id = open_campaign(campaign_dir)
    cadres, targets = campaign.cadre_index(), campaign.target_index()
    text = f"风险调整（方案 {current.key}）：{reason.strip() or '期限内排不下'}"
    for move in current.moves:
        check_override(cadres.get(move.to_cadre), targets.get(move.target_id), text)
        store.override(campaign_id, move.target_id, move.to_cadre, text, actor)
    return current
