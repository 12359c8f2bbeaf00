UPDATE experiment SET value = 'score' WHERE key = 'outcome_kind';
