"""The member portal (`lrt serve`): server-rendered Dutch pages over the same application
commands and the same read door (`projections.views.Views`) as the command line."""
